#!/usr/bin/env bash
# boxwright: phase=cleanup kinds=vm
# 95-minimize: hand free blocks back so the box compresses well. VM builds only (its header): a chroot
# build makes its disk afterwards from the files, so there is nothing to trim.
set -Eeuo pipefail
export LC_ALL=C.UTF-8
sync
# fstrim works where the disk passes discards (qemu discard=unmap); otherwise write zeros.
if fstrim -v / 2>/dev/null; then
  fstrim -v /boot 2>/dev/null || true
else
  echo "==> 95-minimize: fstrim unsupported, zero-filling free space"
  dd if=/dev/zero of=/var/tmp/boxwright-zero bs=1M status=none 2>/dev/null || true
  sync
  rm -f /var/tmp/boxwright-zero
fi
sync
echo "==> 95-minimize: done"
