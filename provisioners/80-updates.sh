#!/usr/bin/env bash
# boxwright: phase=stack kinds=vm,chroot
# 80-updates: unattended security upgrades for the running VM (daily lists + upgrade, no reboot).
# During the build the apt-daily jobs are masked for the current boot only (00-apt).
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

bw_install 0644 apt/20auto-upgrades /etc/apt/apt.conf.d/20auto-upgrades
bw_install 0644 apt/52boxwright-unattended-upgrades /etc/apt/apt.conf.d/52boxwright-unattended-upgrades
systemctl enable --quiet --no-reload unattended-upgrades.service apt-daily.timer apt-daily-upgrade.timer
if command -v unattended-upgrade >/dev/null 2>&1; then
  # Parses the apt configuration without upgrading anything.
  apt-config dump Unattended-Upgrade::Origins-Pattern | sed 's/^/    /'
fi
bw_log "unattended security upgrades configured"
