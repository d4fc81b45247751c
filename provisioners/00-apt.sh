#!/usr/bin/env bash
# 00-apt: apt and dpkg settings (retries, lock timeout, no recommends, no docs), and keep the
# distro's periodic apt jobs from racing the build.
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

bw_install 0644 apt/90boxwright /etc/apt/apt.conf.d/90boxwright
bw_install 0644 apt/99boxwright-build /etc/apt/apt.conf.d/99boxwright-build
bw_install 0644 dpkg/01boxwright-nodoc /etc/dpkg/dpkg.cfg.d/01boxwright-nodoc

if bw_systemd_running; then
  # Booted VM: cloud-init may still be running apt; then mask the apt-daily jobs for this boot
  # only (--runtime lives in /run, so the finished box runs them again).
  if command -v cloud-init >/dev/null 2>&1; then
    bw_log "waiting for cloud-init to finish"
    cloud-init status --wait >/dev/null || true
  fi
  units=(apt-daily.timer apt-daily-upgrade.timer apt-daily.service apt-daily-upgrade.service)
  systemctl mask --runtime "${units[@]}" >/dev/null 2>&1 || true
  systemctl stop "${units[@]}" >/dev/null 2>&1 || true
  bw_log "apt-daily timers masked for the build"
fi
bw_log "apt configured"
