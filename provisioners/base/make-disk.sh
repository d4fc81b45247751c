#!/bin/bash
# Make a bootable qcow2 disk from a root filesystem (a directory or a tar):
# raw file → one MBR partition → ext4 filled with `mke2fs -d` (no mount needed for the copy)
# → extlinux in /boot/extlinux + syslinux mbr.bin → qemu-img convert to qcow2.
#
# Usage: make-disk.sh (--root DIR | --tar FILE) --output DISK.qcow2 [--size MIB] [--uuid UUID]
#                     [--label LABEL] [--append "KERNEL ARGS"] [--compress]
# With --root, /etc/fstab and /boot/extlinux/extlinux.conf are written into DIR itself.
# Needs root (one loop mount for extlinux), e2fsprogs, fdisk (sfdisk), extlinux, syslinux-common,
# qemu-utils. The filesystem UUID, label and times come from the arguments and SOURCE_DATE_EPOCH.
set -Eeuo pipefail

root_dir=
tar_file=
output=
size_mib=8192
uuid=6b1c0d3e-5d2a-4c9b-9f0e-b0c5b0c5b0c5
label=boxwright-root
append=
compress=0

usage() { sed -n 's/^# \{0,1\}Usage: //p' "$0" >&2; exit 2; }
die() { printf 'make-disk: %s\n' "$*" >&2; exit 1; }
log() { printf 'make-disk: %s\n' "$*" >&2; }

while (($#)); do
  case $1 in
    --root) root_dir=${2:?}; shift 2 ;;
    --tar) tar_file=${2:?}; shift 2 ;;
    --output) output=${2:?}; shift 2 ;;
    --size) size_mib=${2:?}; shift 2 ;;
    --uuid) uuid=${2:?}; shift 2 ;;
    --label) label=${2:?}; shift 2 ;;
    --append) append=${2-}; shift 2 ;;
    --compress) compress=1; shift ;;
    -h|--help) usage ;;
    *) printf 'make-disk: unknown argument %s\n' "$1" >&2; usage ;;
  esac
done
[[ -n $output && ( -n $root_dir || -n $tar_file ) ]] || usage
if ! [[ $size_mib =~ ^[0-9]+$ ]] || ((size_mib < 256)); then die "--size must be a whole number of MiB, at least 256"; fi
[[ $uuid =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] || die "--uuid must be a lowercase UUID"
for tool in mke2fs sfdisk extlinux qemu-img losetup; do
  command -v "$tool" >/dev/null || die "$tool is missing: apt-get install e2fsprogs fdisk extlinux syslinux-common qemu-utils"
done
mbr_bin=
for candidate in /usr/lib/syslinux/mbr/mbr.bin /usr/lib/SYSLINUX/mbr.bin /usr/share/syslinux/mbr.bin; do
  [[ -f $candidate ]] && { mbr_bin=$candidate; break; }
done
[[ -n $mbr_bin ]] || die "mbr.bin not found: apt-get install syslinux-common"

work=$(mktemp -d "${TMPDIR:-/tmp}/bw-disk.XXXXXX")
mnt=$work/mnt
loop=
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then umount "$mnt" || umount -l "$mnt" || true; fi
  if [[ -n $loop ]]; then losetup -d "$loop" || true; fi
  rm -rf "$work"
  rm -f "$output.partial"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z $root_dir ]]; then
  log "extracting $tar_file"
  root_dir=$work/root
  mkdir "$root_dir"
  tar --extract --numeric-owner --preserve-permissions --xattrs --xattrs-include='*' \
    --file "$tar_file" --directory "$root_dir"
fi
[[ -e $root_dir/etc/os-release ]] || die "$root_dir does not look like a root filesystem"

log "fstab and extlinux.conf (root=UUID=$uuid)"
printf 'UUID=%s\t/\text4\terrors=remount-ro\t0\t1\n' "$uuid" >"$root_dir/etc/fstab"
mkdir -p "$root_dir/boot/extlinux"
# /vmlinuz and /initrd.img are the symlinks Debian's kernel packages keep current.
# net.ifnames=0: NICs are eth0, eth1, ... as Vagrant boxes usually name them.
cat >"$root_dir/boot/extlinux/extlinux.conf" <<CONF
DEFAULT debian
PROMPT 0
TIMEOUT 1
SERIAL 0 115200

LABEL debian
  LINUX /vmlinuz
  INITRD /initrd.img
  APPEND root=UUID=$uuid ro net.ifnames=0 console=tty0 console=ttyS0,115200n8 $append
CONF

raw=$work/disk.raw
offset=$((1024 * 1024))
truncate -s "${size_mib}M" "$raw"
log "partition table (${size_mib} MiB, one bootable Linux partition at 1 MiB)"
printf 'label: dos\nlabel-id: 0x%s\nunit: sectors\n\nstart=2048, type=83, bootable\n' "${uuid:0:8}" |
  sfdisk --quiet --no-reread --no-tell-kernel "$raw"

log "ext4 filesystem from $root_dir"
fs_env=()
if [[ -n ${SOURCE_DATE_EPOCH:-} ]]; then fs_env=("E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH"); fi
env "${fs_env[@]}" mke2fs -q -F -t ext4 \
  -O ^64bit,^metadata_csum_seed,^orphan_file \
  -U "$uuid" -L "$label" \
  -E "offset=$offset,hash_seed=$uuid,root_owner=0:0" \
  -d "$root_dir" "$raw" "$((size_mib - 1))M"

log "extlinux"
mkdir "$mnt"
loop=$(losetup --find --show --offset "$offset" --sizelimit "$(((size_mib - 1) * 1024 * 1024))" "$raw")
mount -t ext4 "$loop" "$mnt"
extlinux --install "$mnt/boot/extlinux" 2>&1 | sed 's/^/make-disk: extlinux: /' >&2
umount "$mnt"
losetup -d "$loop"
loop=
dd if="$mbr_bin" of="$raw" bs=440 count=1 conv=notrunc status=none

log "qcow2 → $output"
convert_args=(-O qcow2)
if ((compress)); then convert_args+=(-c); fi
qemu-img convert "${convert_args[@]}" "$raw" "$output.partial"
mv -f "$output.partial" "$output"
log "done: $(du -h "$output" | cut -f1) $output"
