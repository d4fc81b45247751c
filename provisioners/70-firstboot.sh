#!/usr/bin/env bash
# boxwright: phase=stack kinds=vm,chroot
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
systemctl enable --quiet --no-reload boxwright-hostkeys.service boxwright-firstboot.service

# The box carries the spec's hostname, as the lab's Vagrantfile sets it: `vagrant up` then finds
# `hostname -f` already right and skips renaming the guest and restarting its network (15 s
# under TCG). A lab with another hostname still gets renamed by Vagrant as usual.
FQDN={{hostname}}
SHORT="${FQDN%%.*}"
if [[ "$(cat /etc/hostname 2>/dev/null)" != "$SHORT" ]]; then
  printf '%s\n' "$SHORT" > /etc/hostname
  bw_changed
fi
hosts_line="$(printf '127.0.1.1\t%s %s' "$FQDN" "$SHORT")"
if ! grep -qxF "$hosts_line" /etc/hosts; then
  { grep -vE '^127\.0\.1\.1[[:space:]]' /etc/hosts || true; } > /etc/hosts.boxwright
  printf '%s\n' "$hosts_line" >> /etc/hosts.boxwright
  cat /etc/hosts.boxwright > /etc/hosts
  rm -f /etc/hosts.boxwright
  bw_changed
fi
# In a booted build VM the running name follows (sudo resolves it); never in a chroot, which shares
# the host's UTS namespace.
if bw_systemd_running && [[ "$(hostname)" != "$SHORT" ]]; then hostname "$SHORT"; fi

# Boot time (a box is booted far more often than it is built): units that only cost time at a VM's
# boot are masked. The base's `ssh-keygen -A` unit would add an RSA key (15+ s under TCG) that our
# unit above leaves out; e2scrub needs LVM snapshots, which a box does not have.
to_mask=()
# Debian 13's openssh-server has its own first-boot `ssh-keygen -A` (sshd-keygen.service): masked too.
for unit in boxwright-ssh-host-keys.service sshd-keygen.service e2scrub_reap.service e2scrub_all.timer e2scrub_all.service; do
  if [[ "$(readlink "/etc/systemd/system/$unit" 2>/dev/null)" != /dev/null ]] \
    && { [[ -e "/lib/systemd/system/$unit" || -e "/etc/systemd/system/$unit" ]]; }; then
    to_mask+=("$unit")
  fi
done
if ((${#to_mask[@]})); then
  # One systemctl call each, without a daemon reload (every call costs seconds in a TCG build VM).
  systemctl disable --quiet --no-reload "${to_mask[@]}" 2>/dev/null || true
  # A unit the base put in /etc (its own ssh-keygen -A unit) must go before it can be masked.
  for unit in "${to_mask[@]}"; do
    if [[ -f "/etc/systemd/system/$unit" && ! -L "/etc/systemd/system/$unit" ]]; then rm -f "/etc/systemd/system/$unit"; fi
  done
  systemctl mask --quiet --no-reload "${to_mask[@]}"
  bw_changed
fi
bw_log "first-boot units enabled; hostname $FQDN; boot-time-only units masked"
