#!/usr/bin/env bash
# boxwright: phase=stack kinds=vm,chroot
# 35-roles: what the machines of the `ha` lab need besides the one-server stack, in every box and
# off until a role turns it on: HAProxy and keepalived (installed by 10-packages, disabled here),
# the role program /usr/local/sbin/boxwright-role (run over SSH by the Vagrantfile, the role as
# JSON on stdin), and the folder of per-machine nginx additions (X-Served-By). A one-server lab
# never runs any of it.
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

bw_install 0700 roles/boxwright-role.cjs /usr/local/sbin/boxwright-role
if [[ ! -d /etc/nginx/boxwright.d ]]; then
  install -d -o root -g root -m 0755 /etc/nginx/boxwright.d
  bw_changed
fi
for unit in haproxy.service keepalived.service; do
  if [[ "$(systemctl is-enabled "$unit" 2>/dev/null)" != disabled ]]; then
    systemctl disable --quiet --no-reload "$unit"
    bw_changed
  fi
  if bw_systemd_running && systemctl is-active --quiet "$unit"; then systemctl stop "$unit"; fi
done
bw_log "roles ready (haproxy $(dpkg-query -W -f '${Version}' haproxy), keepalived $(dpkg-query -W -f '${Version}' keepalived)); all off"
