#!/usr/bin/env bash
# boxwright: phase=stack kinds=vm,chroot
# 00-apt: apt and dpkg settings (retries, lock timeout, no recommends, no docs), and keep the
# distro's periodic apt jobs from racing the build.
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

bw_install 0644 apt/90boxwright /etc/apt/apt.conf.d/90boxwright
bw_install 0644 apt/99boxwright-build /etc/apt/apt.conf.d/99boxwright-build
bw_install 0644 dpkg/01boxwright-nodoc /etc/dpkg/dpkg.cfg.d/01boxwright-nodoc

if bw_systemd_running; then
  # Booted VM: cloud-init may still be running apt. Then stop the apt-daily timers for this boot
  # only (they stay enabled, so the finished box runs them; 80-updates configures them); a run
  # already in progress is waited for by DPkg::Lock::Timeout.
  if command -v cloud-init >/dev/null 2>&1; then
    bw_log "waiting for cloud-init to finish"
    cloud-init status --wait >/dev/null || true
  fi
  systemctl stop apt-daily.timer apt-daily-upgrade.timer 2>/dev/null || true
  bw_log "apt-daily timers stopped for the build"
fi
bw_log "apt configured"
