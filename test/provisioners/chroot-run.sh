#!/bin/bash
# Test harness (not shipped): run the rendered provisioners inside ROOT the way the chroot build
# kind does (policy-rc.d, private /dev, /proc, /run; no systemd), then print provisioners/checks/state.sh.
# Usage: chroot-run.sh ROOT RENDER_DIR APP_BUNDLE STATE_OUT | chroot-run.sh --teardown ROOT
set -Eeuo pipefail

mounts_below() { awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r; }
teardown() { local m; for m in $(mounts_below "$1"); do umount "$m" 2>/dev/null || umount -l "$m"; done; }

if [[ $1 == --teardown ]]; then teardown "$2"; exit 0; fi
root=$1 render=$2 bundle=$3 state_out=$4
staging=/tmp/boxwright

if ! mountpoint -q "$root/proc"; then
  mount -t proc proc "$root/proc"
  mount -t sysfs -o ro sysfs "$root/sys"
  mount -t tmpfs -o mode=0755,size=16m dev "$root/dev"
  for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    IFS=: read -r name major minor <<< "$node"
    mknod -m 666 "$root/dev/$name" c "$major" "$minor"
  done
  mkdir -p "$root/dev/pts" "$root/dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
  ln -s pts/ptmx "$root/dev/ptmx"
  ln -s /proc/self/fd "$root/dev/fd"
  mount -t tmpfs -o mode=0755 run "$root/run"
  mkdir -p "$root/run/lock"
fi
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
rm -f "$root/etc/resolv.conf"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
rm -rf "${root:?}$staging" "$root/root/checks"
mkdir -p "$root$staging"
cp -a "$render/files" "$render/scripts" "$root$staging/"
cp "$bundle" "$root$staging/app.tar.gz"
cp -a "$render/checks" "$root/root/checks"

for script in "$render"/scripts/*.sh; do
  if ! grep -qE '^# boxwright: .*kinds=([a-z]+,)*chroot' "$script"; then echo "skip $(basename "$script") (not a chroot-kind script)"; continue; fi
  chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin bash "$staging/scripts/$(basename "$script")"
done
chroot "$root" bash /root/checks/state.sh > "$state_out"
