#!/usr/bin/env bash
# boxwright: phase=stack kinds=vm,chroot
# 60-ssh: sshd drop-in (no root login, keys only, no DNS), validated with sshd -t. sshd is not
# reloaded during the build (the build may still log in with a password); it applies at boot.
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

if ! grep -qiE '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\.d/\*\.conf' /etc/ssh/sshd_config; then
  # Older configs lack the drop-in directory: include it first, as Debian 12/Ubuntu 24.04 do.
  sed -i '1i Include /etc/ssh/sshd_config.d/*.conf' /etc/ssh/sshd_config
fi
bw_install 0644 ssh/00-boxwright.conf /etc/ssh/sshd_config.d/00-boxwright.conf

# sshd -t needs the privilege separation dir and at least one host key; host keys may be gone
# (removed by 90-cleanup on a previous run): then validate with a throwaway key.
install -d -m 0755 /run/sshd
if compgen -G '/etc/ssh/ssh_host_*_key' >/dev/null; then
  sshd -t
else
  tmp="$(mktemp -d)"
  ssh-keygen -q -t ed25519 -N '' -f "$tmp/key"
  # The configured HostKey files do not exist yet (they are made at boot): only those warnings go.
  if ! out="$(sshd -t -h "$tmp/key" 2>&1)"; then echo "$out" >&2; exit 1; fi
  grep -v '^Unable to load host key: /etc/ssh/ssh_host_' <<< "$out" >&2 || true
  rm -rf "$tmp"
fi
if ((BW_CHANGED)); then bw_daemon_reload; fi
# Ubuntu 24.04 starts sshd by socket activation (ssh.socket): keep whichever the base uses.
if ! systemctl is-enabled --quiet ssh.socket 2>/dev/null && ! systemctl is-enabled --quiet ssh.service 2>/dev/null; then
  systemctl enable --quiet --no-reload ssh.service
fi
bw_log "sshd configured"
