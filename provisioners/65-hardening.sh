#!/usr/bin/env bash
# boxwright: phase=stack kinds=vm,chroot
# 65-hardening: OS hardening an independent audit (Lynis) asks for, where it keeps Vagrant and the
# stack working: kernel settings, unneeded kernel modules off, no core dumps, login and password
# policy, a legal banner, more sshd settings and activity reports. Each item is asserted
# by provisioners/checks/verify.sh ("# hardening"); what is not adopted, and why, is in the README.
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

# Its packages (PAM temp folders and password strength, sysstat, debsums, apt-show-versions) come
# with the stack's in 10-packages.sh: one apt run.

# Kernel: sysctl settings (applied by systemd-sysctl at boot) and modules kept from loading.
bw_install 0644 hardening/sysctl.conf /etc/sysctl.d/60-boxwright-hardening.conf
bw_install 0644 hardening/protect-links.conf /etc/sysctl.d/protect-links.conf
bw_install 0644 hardening/modprobe.conf /etc/modprobe.d/boxwright-hardening.conf

# No core dumps: login sessions (PAM limits, login shells) and services (systemd default).
bw_install 0644 hardening/limits.conf /etc/security/limits.d/10-boxwright-nocore.conf
bw_install 0644 hardening/profile.sh /etc/profile.d/boxwright-hardening.sh
# 90-: system.conf drop-ins apply in file-name order across /etc and /usr/lib, and Debian 13's
# systemd ships 10-coredump-debian.conf (DefaultLimitCORE=0:infinity), which a 10- name loses to.
bw_install 0644 hardening/nocore-system.conf /etc/systemd/system.conf.d/90-boxwright-nocore.conf

# Legal banner on the console and for network logins.
bw_install 0644 hardening/issue /etc/issue
bw_install 0644 hardening/issue.net /etc/issue.net

# Login policy (login.defs has no drop-in folder: set each key, rewriting the whole file once).
# Password aging applies to accounts made from now on; the vagrant user logs in by key only.
# (login.defs UMASK stays 022: files written over SSH with sudo, such as Vagrant's networkd file, must stay readable by the daemons.)
set_login_def() {
  local key="$1" value="$2" file=/etc/login.defs
  if grep -qE "^${key}[[:space:]]+${value}\$" "$file"; then return 0; fi
  { grep -vE "^[#[:space:]]*${key}([[:space:]]|\$)" "$file" || true; printf '%s\t%s\n' "$key" "$value"; } > "$file.boxwright"
  chmod 0644 "$file.boxwright"
  mv "$file.boxwright" "$file"
  bw_changed
}
set_login_def PASS_MAX_DAYS 365
set_login_def PASS_MIN_DAYS 1
set_login_def PASS_WARN_AGE 14
set_login_def SHA_CRYPT_MIN_ROUNDS 5000
set_login_def SHA_CRYPT_MAX_ROUNDS 50000
set_login_def HOME_MODE 0750
for home in /home/*; do
  [[ -d "$home" ]] || continue
  if [[ "$(stat -c '%a' "$home")" != 750 ]]; then chmod 0750 "$home"; fi
done

# sshd: settings the 00- drop-in does not set (sshd keeps the first value it reads); its main
# config readable by root only.
bw_install 0644 hardening/sshd.conf /etc/ssh/sshd_config.d/01-boxwright-hardening.conf
chmod 0600 /etc/ssh/sshd_config
install -d -m 0755 /run/sshd
tmp="$(mktemp -d)"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/key"
if ! out="$(sshd -t -h "$tmp/key" 2>&1)"; then echo "$out" >&2; rm -rf "$tmp"; exit 1; fi
rm -rf "$tmp"

# Packages drop cron jobs (sysstat, debsums) though the box runs no cron: only root may read them.
for dir in /etc/cron.d /etc/cron.hourly /etc/cron.daily /etc/cron.weekly /etc/cron.monthly; do
  if [[ -d "$dir" && "$(stat -c '%a' "$dir")" != 700 ]]; then chmod 0700 "$dir"; fi
done


# /tmp on its own tmpfs (systemd's tmp.mount: nosuid, nodev; exec stays allowed, since Vagrant
# runs uploaded scripts from /tmp).
# Debian 12 ships the unit as an example; newer systemd mounts a tmpfs /tmp by itself.
if [[ -f /usr/share/systemd/tmp.mount ]]; then
  if ! cmp -s /usr/share/systemd/tmp.mount /etc/systemd/system/tmp.mount; then
    install -m 0644 /usr/share/systemd/tmp.mount /etc/systemd/system/tmp.mount
    bw_changed
  fi
  systemctl enable --quiet --no-reload tmp.mount
fi

# Activity reports every 10 minutes (sysstat's own timers, started by sysstat.service).
bw_install 0644 hardening/sysstat /etc/default/sysstat
systemctl enable --quiet --no-reload sysstat.service

bw_log "hardening applied (sysctl, modules, core dumps, login policy, banner, sshd, tmpfs /tmp, sysstat)"
