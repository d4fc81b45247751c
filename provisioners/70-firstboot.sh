#!/usr/bin/env bash
# 70-firstboot: units that finish the box on each VM's first boot: SSH host keys, the database
# password and the secured database (nothing of that is made during the build).
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

bw_install 0755 firstboot/boxwright-firstboot /usr/local/libexec/boxwright/boxwright-firstboot
bw_install 0644 systemd/boxwright-firstboot.service /etc/systemd/system/boxwright-firstboot.service
bw_install 0644 systemd/boxwright-hostkeys.service /etc/systemd/system/boxwright-hostkeys.service
install -d -o root -g root -m 0700 /etc/boxwright /etc/boxwright/secrets
bw_daemon_reload
systemctl enable --quiet boxwright-hostkeys.service boxwright-firstboot.service
bw_log "first-boot units enabled"
