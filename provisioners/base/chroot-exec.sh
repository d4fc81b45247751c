#!/bin/bash
# Run a command inside an extracted root filesystem (the chroot build kind), with what package
# scripts need and nothing that outlives the command:
#   /proc, /sys (read-only), /dev (bind), /dev/pts, a tmpfs /run holding the host's resolv.conf
#   at the path the root's /etc/resolv.conf points to (systemd-resolved's stub file), and a
#   policy-rc.d that stops services from being started during the build.
# Everything is unmounted and removed again when the command ends, fails or is interrupted.
#
# Usage: chroot-exec.sh ROOT COMMAND [ARG...]
#   e.g. chroot-exec.sh /tmp/root /bin/bash /tmp/provision/10-nginx.sh
# Needs root.
set -Eeuo pipefail

root=${1:?usage: chroot-exec.sh ROOT COMMAND [ARG...]}
shift
(($#)) || { echo 'usage: chroot-exec.sh ROOT COMMAND [ARG...]' >&2; exit 2; }
root=$(cd "$root" && pwd -P)
[[ $root != / && -x $root/bin/sh ]] || { echo "chroot-exec: $root is not a root filesystem" >&2; exit 2; }

mounted=()
policy_added=0
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true
  done
  if ((policy_added)); then rm -f "$root/usr/sbin/policy-rc.d"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_at() { # mount_at TARGET mount-args...
  local target=$root$1
  shift
  mkdir -p "$target"
  mount "$@" "$target"
  mounted+=("$target")
}

mount_at /proc -t proc proc
mount_at /sys -t sysfs -o ro sysfs
mount_at /dev --bind /dev
mount_at /dev/pts -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts
mount_at /run -t tmpfs -o mode=0755,nosuid,nodev tmpfs

# Name resolution for apt inside the root, without touching the root's /etc/resolv.conf symlink.
resolv_target=$(readlink "$root/etc/resolv.conf" || true)
case $resolv_target in
  ../run/*|/run/*)
    resolv_path=$root/run/${resolv_target#*run/}
    mkdir -p "$(dirname "$resolv_path")"
    cp -L /etc/resolv.conf "$resolv_path"
    ;;
  *)
    echo "chroot-exec: $root/etc/resolv.conf does not point into /run; leaving it as it is" >&2
    ;;
esac

if [[ ! -e $root/usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\n# Written by chroot-exec.sh: no service starts during an image build.\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  policy_added=1
fi

status=0
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive TERM=dumb BOXWRIGHT_CHROOT=1 \
  chroot "$root" "$@" || status=$?
exit "$status"
