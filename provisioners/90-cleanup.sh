#!/usr/bin/env bash
# boxwright: phase=cleanup kinds=vm,chroot
# 90-cleanup: leave nothing of the build or of this machine's identity in the box: apt caches and
# lists, logs, machine-id, SSH host keys, cloud-init state, shell history, the staging folder.
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

rm -f /etc/apt/apt.conf.d/99boxwright-build
bw_apt autoremove --purge >/dev/null
bw_apt clean

install -d -o root -g root -m 0755 /var/lib/boxwright
# Package manifest of the box, for build-manifest.json and for diffing two builds: the one package
# query of a build (the build copies this file out after the cleanup phase).
# shellcheck disable=SC2016 # dpkg-query expands the ${...} fields itself
dpkg-query -W -f='${Package}\t${Version}\t${Architecture}\n' | LC_ALL=C sort > {{packageListPath}}

# No secret in the box: each VM makes its own at first boot (boxwright-firstboot).
rm -rf /etc/boxwright/secrets/* /var/lib/boxwright/firstboot.done
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
install -d -m 0755 /var/lib/apt/lists/partial

# machine-id: empty (not absent), so systemd makes a new one at first boot (ConditionFirstBoot).
# Keep a digest of the build's id so the check suite can prove the VM has its own.
if [[ -s /etc/machine-id ]]; then
  sha256sum < /etc/machine-id | cut -d' ' -f1 > /var/lib/boxwright/build-machine-id.sha256
fi
: > /etc/machine-id
chmod 0444 /etc/machine-id
if [[ -e /var/lib/dbus/machine-id || -L /var/lib/dbus/machine-id ]]; then
  ln -sfn /etc/machine-id /var/lib/dbus/machine-id
fi
rm -f /var/lib/systemd/random-seed /var/lib/systemd/credential.secret

rm -f /etc/ssh/ssh_host_*

if command -v cloud-init >/dev/null 2>&1; then
  cloud-init clean --logs
fi
{{#isUbuntu}}
# The build VM's netplan config is bound to its MAC; the box must bring up whatever NIC it gets.
# The id sorts last ("zz-"), so networkd prefers a Vagrant private-network config for the same NIC.
rm -f /etc/netplan/50-cloud-init.yaml
install -m 0600 /dev/stdin /etc/netplan/90-boxwright-dhcp.yaml <<'NETPLAN'
network:
  version: 2
  ethernets:
    zz-boxwright-en:
      match: { name: "en*" }
      dhcp4: true
      optional: true
    zz-boxwright-eth:
      match: { name: "eth*" }
      dhcp4: true
      optional: true
NETPLAN
{{/isUbuntu}}
rm -rf /var/lib/dhcp/*.leases /var/lib/systemd/network/* 2>/dev/null || true

# Logs: truncate files (services keep their handles), drop rotated ones and the journal.
find /var/log -type f \( -name '*.gz' -o -name '*.[0-9]' -o -name '*.old' \) -delete
find /var/log -type f -exec truncate -s 0 {} +
rm -rf /var/log/journal/*

unset HISTFILE
rm -f /root/.bash_history /root/.lesshst /root/.viminfo /root/.wget-hsts
find /home -mindepth 2 -maxdepth 2 \( -name .bash_history -o -name .lesshst -o -name .viminfo \) -delete 2>/dev/null || true

rm -rf /var/tmp/* /tmp/boxwright-*
rm -rf -- {{stagingDir}}
bw_log "cleaned"
