#!/bin/bash
# Chroot build kind: provision a mirror-bootstrapped root filesystem natively, then make it a disk and
# a libvirt box. Packer runs each subcommand as a shell-local step, with the build folder as cwd.
#
# Usage: chroot.sh prepare ROOTFS.tar | run SCRIPT | packages GUEST.tsv OUT.tsv | disk SIZE_MIB | box OUT.box GZIP_LEVEL | teardown
set -Eeuo pipefail
umask 022

build=$PWD
root=$build/output/rootfs
disk=$build/output/disk.qcow2
staging=/tmp/boxwright

log() { printf 'boxwright-chroot: %s\n' "$*"; }
die() { printf 'boxwright-chroot: %s\n' "$*" >&2; exit 1; }

# Mount points below $root, deepest first (for unmounting).
mounts_below_root() {
  awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

teardown() {
  local mnt
  for mnt in $(mounts_below_root); do
    umount "$mnt" 2>/dev/null || umount -l "$mnt"
  done
}

prepare() {
  local tar_file=${1:?rootfs tar}
  [[ -f $tar_file ]] || die "base root filesystem $tar_file is missing"
  teardown
  rm -rf --one-file-system "$root"
  mkdir -p "$root"
  log "extracting $tar_file"
  tar --numeric-owner --xattrs --xattrs-include='*' -xpf "$tar_file" -C "$root"
  # Private, fresh kernel filesystems: nothing of the host's /dev or /run is shared into the chroot.
  mount -t proc proc "$root/proc"
  mount -t sysfs -o ro sysfs "$root/sys"
  mount -t tmpfs -o mode=0755,size=16m dev "$root/dev"
  mknod -m 666 "$root/dev/null" c 1 3
  mknod -m 666 "$root/dev/zero" c 1 5
  mknod -m 666 "$root/dev/full" c 1 7
  mknod -m 666 "$root/dev/random" c 1 8
  mknod -m 666 "$root/dev/urandom" c 1 9
  mknod -m 666 "$root/dev/tty" c 5 0
  mkdir -p "$root/dev/pts" "$root/dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
  ln -s pts/ptmx "$root/dev/ptmx"
  ln -s /proc/self/fd "$root/dev/fd"
  mount -t tmpfs -o mode=0755 run "$root/run"
  mkdir -p "$root/run/lock"
  # Services must not start during the build (invoke-rc.d honours policy-rc.d).
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  # Name resolution for apt during the build only; the image's own resolv.conf is put back by `disk`.
  if [[ -e $root/etc/resolv.conf || -L $root/etc/resolv.conf ]]; then
    mv "$root/etc/resolv.conf" "$root/etc/resolv.conf.boxwright-orig"
  fi
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  rm -rf "${root:?}$staging"
  mkdir -p "$root$staging"
  cp -a "$build/files" "$root$staging/files"
  cp "$build/app.tar.gz" "$root$staging/app.tar.gz"
  cp -a "$build/scripts" "$root$staging/scripts"
}

run() {
  local script=${1:?script}
  log "running $(basename "$script")"
  chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash "$staging/scripts/$(basename "$script")"
}

# Copies the package list the cleanup phase wrote inside the root (the build's one package query).
packages() {
  local list=${1:?package list in the root} out=${2:?output file}
  [[ -f $root$list ]] || die "no package list at $list in the root; the cleanup phase writes it"
  mkdir -p "$(dirname "$out")"
  cp "$root$list" "$out"
}

make_disk() {
  local size=${1:?size in MiB}
  rm -f "$root/usr/sbin/policy-rc.d"
  rm -f "$root/etc/resolv.conf"
  if [[ -e $root/etc/resolv.conf.boxwright-orig || -L $root/etc/resolv.conf.boxwright-orig ]]; then
    mv "$root/etc/resolv.conf.boxwright-orig" "$root/etc/resolv.conf"
  fi
  rm -rf "${root:?}$staging"
  teardown
  log "making a ${size} MiB disk"
  bash "$build/helpers/make-disk.sh" --root "$root" --output "$disk" --size "$size"
  rm -rf --one-file-system "$root"
}

box() {
  local out=${1:?box path} level=${2:?gzip level}
  local work virtual_gib
  work=$(mktemp -d "$build/output/box.XXXXXX")
  local bytes
  bytes=$(qemu-img info --output=json "$disk" | sed -n 's/^ *"virtual-size": *\([0-9]*\).*/\1/p' | head -n 1)
  virtual_gib=$(( (bytes + 1073741823) / 1073741824 ))
  mv "$disk" "$work/box.img"
  printf '{\n  "provider": "libvirt",\n  "format": "qcow2",\n  "virtual_size": %s\n}\n' "$virtual_gib" > "$work/metadata.json"
  # The box's own Vagrantfile, rendered from the image spec (files/box/Vagrantfile), as the VM kind's.
  install -m 0644 "$build/files/box/Vagrantfile" "$work/Vagrantfile"
  mkdir -p "$(dirname "$out")"
  log "packing $out"
  # metadata.json first: readers (and boxwright's own check) find it without reading the disk.
  # pigz (same format, all cores; its output does not depend on the thread count) when installed.
  local gz=(gzip -n "-$level")
  if command -v pigz >/dev/null 2>&1; then gz=(pigz -n "-$level"); fi
  tar --mtime=@"${SOURCE_DATE_EPOCH:-0}" --owner=0 --group=0 --numeric-owner -C "$work" -cf - metadata.json Vagrantfile box.img \
    | "${gz[@]}" > "$out.partial"
  mv "$out.partial" "$out"
  rm -rf "$work"
}

[[ $(id -u) -eq 0 ]] || die "the chroot build kind needs root; use --kind vm"
cmd=${1:-}
shift || true
case $cmd in
  prepare) prepare "$@" ;;
  run) run "$@" ;;
  packages) packages "$@" ;;
  disk) make_disk "$@" ;;
  box) box "$@" ;;
  teardown) teardown ;;
  *) sed -n 's/^# Usage: //p' "$0" >&2; exit 2 ;;
esac
