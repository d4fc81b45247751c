#!/usr/bin/env bash
# Prints the state the provisioners of {{name}} leave behind: sha256 + mode/owner of every file
# they write, a digest of the app tree, the app user, and the enabled/active state of the units.
# Run it after one provisioning run and after a second one: the outputs must be identical.
set -Euo pipefail
export LC_ALL=C.UTF-8

APP_USER={{appUser}}
APP_DIR={{appDir}}
DB_SERVICE={{dbService}}
{{#isMariadb}}
DB_CONF=/etc/mysql/mariadb.conf.d/99-boxwright.cnf
{{/isMariadb}}
{{#isMysql}}
DB_CONF=/etc/mysql/mysql.conf.d/99-boxwright.cnf
{{/isMysql}}

FILES=(
  /etc/apt/apt.conf.d/90boxwright
  /etc/apt/apt.conf.d/20auto-upgrades
  /etc/apt/apt.conf.d/52boxwright-unattended-upgrades
  /etc/dpkg/dpkg.cfg.d/01boxwright-nodoc
  "$DB_CONF"
  /etc/nginx/conf.d/boxwright.conf
  /etc/nginx/snippets/boxwright-security-headers.conf
  /etc/nginx/sites-available/boxwright.conf
  /etc/nginx/sites-enabled/boxwright.conf
  /usr/local/sbin/boxwright-ready
  /etc/nftables.conf
  /etc/systemd/resolved.conf.d/00-boxwright.conf
  /etc/ssh/sshd_config
  /etc/ssh/sshd_config.d/00-boxwright.conf
  /etc/systemd/system/boxwright-app@.service
  /usr/local/sbin/boxwright-release
  /usr/local/libexec/boxwright/boxwright-app-ready
  /usr/local/sbin/boxwright-role
  /etc/systemd/system/boxwright-firstboot.service
  /etc/systemd/system/boxwright-hostkeys.service
  /etc/systemd/system/mariadb.service.d/10-boxwright-no-galera.conf
  /usr/local/libexec/boxwright/boxwright-firstboot
  /usr/local/libexec/boxwright/boxwright-hostkeys
)

# 65-hardening.sh
FILES+=(
  /etc/sysctl.d/60-boxwright-hardening.conf
  /etc/sysctl.d/protect-links.conf
  /etc/modprobe.d/boxwright-hardening.conf
  /etc/security/limits.d/10-boxwright-nocore.conf
  /etc/profile.d/boxwright-hardening.sh
  /etc/systemd/system.conf.d/90-boxwright-nocore.conf
  /etc/issue
  /etc/issue.net
  /etc/login.defs
  /etc/ssh/sshd_config.d/01-boxwright-hardening.conf
  /etc/systemd/system/tmp.mount
  /etc/default/sysstat
)

for f in "${FILES[@]}"; do
  if [[ -e "$f" ]]; then
    printf '%s  %s  %s\n' "$(sha256sum < "$f" | cut -d' ' -f1)" "$(stat -L -c '%a %U:%G' "$f")" "$f"
  else
    printf '%s  %s\n' MISSING "$f"
  fi
done
for d in /etc/boxwright /etc/boxwright/secrets /var/lib/mysql-files "$APP_DIR" "$APP_DIR/releases"; do
  printf 'dir  %s  %s\n' "$(stat -c '%a %U:%G' "$d" 2>/dev/null || echo MISSING)" "$d"
done
printf 'link  %s  %s\n' "$(readlink "$APP_DIR/current" || echo MISSING)" "$APP_DIR/current"
if [[ -e /etc/nginx/sites-enabled/default ]]; then echo 'present  /etc/nginx/sites-enabled/default'; else echo 'absent  /etc/nginx/sites-enabled/default'; fi

# The app tree: paths, modes, owners and contents in one digest.
if [[ -d "$APP_DIR" ]]; then
  tree="$(cd "$APP_DIR" && { find . -printf '%p %m %u:%g\n' | sort; find . -type f -print0 | sort -z | xargs -0 -r sha256sum; } | sha256sum | cut -d' ' -f1)"
  printf 'app-tree  %s  %s\n' "$tree" "$APP_DIR"
fi
printf 'user  %s\n' "$(getent passwd "$APP_USER" | cut -d: -f1,6,7 || echo MISSING)"
printf 'group  %s\n' "$(getent group "$APP_USER" | cut -d: -f1 || echo MISSING)"

for unit in nginx.service "$DB_SERVICE.service" nftables.service ssh.service "boxwright-app@"{{appPort}}.service "boxwright-app@"{{appPortStandby}}.service \
  boxwright-firstboot.service boxwright-hostkeys.service unattended-upgrades.service \
  sysstat.service tmp.mount haproxy.service keepalived.service; do
  enabled="$(systemctl is-enabled "$unit" 2>/dev/null || true)"
  active="$(systemctl is-active "$unit" 2>/dev/null || true)"
  printf 'unit  %s  enabled=%s  active=%s\n' "$unit" "${enabled:-unknown}" "${active:-offline}"
done
# Timers: enabled state only (00-apt stops them for the length of a provisioning run).
for unit in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer; do
  printf 'unit  %s  enabled=%s\n' "$unit" "$(systemctl is-enabled "$unit" 2>/dev/null || echo unknown)"
done
