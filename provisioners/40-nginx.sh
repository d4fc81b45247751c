#!/usr/bin/env bash
# boxwright: phase=stack kinds=vm,chroot
# 40-nginx: reverse proxy for {{serverNames}} on port {{nginxPort}}; the distro's default site is
# removed and unknown Hosts get 444. The config is tested (nginx -t, works offline) before reload.
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

if [[ -e /etc/nginx/sites-enabled/default || -L /etc/nginx/sites-enabled/default ]]; then
  rm -f /etc/nginx/sites-enabled/default
  bw_changed
fi
bw_install 0644 nginx/boxwright-http.conf /etc/nginx/conf.d/boxwright.conf
bw_install 0644 nginx/boxwright-security-headers.conf /etc/nginx/snippets/boxwright-security-headers.conf
bw_install 0644 nginx/boxwright-site.conf /etc/nginx/sites-available/boxwright.conf
# Waits for the site to answer 200 (the lab's Vagrantfile runs it after `vagrant up`).
bw_install 0755 nginx/boxwright-ready.sh /usr/local/sbin/boxwright-ready
if [[ "$(readlink /etc/nginx/sites-enabled/boxwright.conf 2>/dev/null)" != ../sites-available/boxwright.conf ]]; then
  ln -sfn ../sites-available/boxwright.conf /etc/nginx/sites-enabled/boxwright.conf
  bw_changed
fi

nginx -t -q
systemctl enable --quiet --no-reload nginx
if ((BW_CHANGED)); then bw_reload_if_active nginx; fi
SERVER_NAMES={{serverNames}}
bw_log "nginx configured for $SERVER_NAMES"
