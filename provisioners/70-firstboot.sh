#!/usr/bin/env bash
# 70-firstboot: units that finish the box on each VM's first boot: SSH host keys, the database
# password and the secured database (nothing of that is made during the build).
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

bw_install 0755 firstboot/boxwright-firstboot /usr/local/libexec/boxwright/boxwright-firstboot
bw_install 0755 firstboot/boxwright-hostkeys /usr/local/libexec/boxwright/boxwright-hostkeys
bw_install 0644 systemd/boxwright-firstboot.service /etc/systemd/system/boxwright-firstboot.service
bw_install 0644 systemd/boxwright-hostkeys.service /etc/systemd/system/boxwright-hostkeys.service
install -d -o root -g root -m 0700 /etc/boxwright /etc/boxwright/secrets
bw_daemon_reload
systemctl enable --quiet boxwright-hostkeys.service boxwright-firstboot.service

# Boot time (a box is booted far more often than it is built): units that only cost time at a VM's
# boot are masked. The base's `ssh-keygen -A` unit would add an RSA key (15+ s under TCG) that our
# unit above leaves out; e2scrub needs LVM snapshots, which a box does not have.
for unit in boxwright-ssh-host-keys.service e2scrub_reap.service e2scrub_all.timer e2scrub_all.service; do
  if [[ "$(readlink "/etc/systemd/system/$unit" 2>/dev/null)" != /dev/null ]] \
    && { [[ -e "/lib/systemd/system/$unit" || -e "/etc/systemd/system/$unit" ]]; }; then
    systemctl disable --quiet "$unit" 2>/dev/null || true
    # A unit the base put in /etc (its own ssh-keygen -A unit) must go before it can be masked.
    if [[ -f "/etc/systemd/system/$unit" && ! -L "/etc/systemd/system/$unit" ]]; then rm -f "/etc/systemd/system/$unit"; fi
    systemctl mask --quiet "$unit"
  fi
done
bw_log "first-boot units enabled; boot-time-only units masked"
