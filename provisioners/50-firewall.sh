#!/usr/bin/env bash
# boxwright: phase=stack kinds=vm,chroot
# 50-firewall: nothing listens beyond loopback but sshd and nginx (no LLMNR/mDNS from
# systemd-resolved), and an nftables ruleset loaded at boot (nftables.service). Neither is applied
# during the build, so the build's own SSH session is never at risk; both take effect at first boot.
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

bw_install 0644 systemd/resolved-boxwright.conf /etc/systemd/resolved.conf.d/00-boxwright.conf

{{#firewallEnabled}}
NGINX_PORT={{nginxPort}}
bw_install 0755 nftables/nftables.conf /etc/nftables.conf
# Check the ruleset (nft -c applies nothing). It needs netlink; where that is refused (some
# containers), say so and go on; any other error fails the build.
if ! err="$(nft -c -f /etc/nftables.conf 2>&1)"; then
  if grep -qiE 'operation not permitted|cache initialization failed|protocol not supported' <<< "$err" \
    && ! grep -qiE 'syntax error|unexpected|could not resolve' <<< "$err"; then
    bw_log "nft -c cannot reach netlink here (${err%%$'\n'*}); ruleset not checked"
  else
    echo "$err" >&2
    exit 1
  fi
fi
systemctl enable --quiet --no-reload nftables.service
bw_log "firewall enabled: inbound 22 and $NGINX_PORT only"
{{/firewallEnabled}}
{{^firewallEnabled}}
systemctl disable --quiet --no-reload nftables.service 2>/dev/null || true
bw_log "firewall disabled by the image spec"
{{/firewallEnabled}}
