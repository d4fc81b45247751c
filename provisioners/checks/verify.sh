#!/usr/bin/env bash
# In-image check suite of {{name}} {{version}}: run inside the booted VM as root
# (`sudo bash verify.sh`). One `ok - ...` / `not ok - ...` line per check; exit 1 on any failure.
# Rendered with the same context as the provisioners.
set -Euo pipefail
export LC_ALL=C.UTF-8
# shellcheck source=checks/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

HOSTNAME_={{hostname}}
read -r -a SERVER_NAMES <<< {{serverNames}}
NGINX_PORT={{nginxPort}}
APP_PORT={{appPort}}
APP_USER={{appUser}}
APP_DIR={{appDir}}
DB_NAME={{dbName}}
DB_USER={{dbUser}}
DB_SERVICE={{dbService}}
STAGING_DIR={{stagingDir}}
APP_PORT_STANDBY={{appPortStandby}}
APP_UNIT="boxwright-app@${APP_PORT}.service"
APP_UNIT_STANDBY="boxwright-app@${APP_PORT_STANDBY}.service"
PW_FILE=/etc/boxwright/secrets/db-password
MAX_EXPOSURE=2.5
BASE_URL="http://127.0.0.1:${NGINX_PORT}"
{{#isMariadb}}
DB_CLIENT=mariadb
{{/isMariadb}}
{{#isMysql}}
DB_CLIENT=mysql
{{/isMysql}}

if [[ $EUID -ne 0 ]]; then
  echo "run as root: sudo bash $0" >&2
  exit 2
fi

sql() { "$DB_CLIENT" --protocol=socket --user=root --batch --skip-column-names -e "$1" 2>&1; }

echo "# services"
for unit in nginx.service "$DB_SERVICE.service" boxwright-firstboot.service "$APP_UNIT" "$APP_UNIT_STANDBY"; do
  expect_eq "$unit is active" active "$(systemctl is-active "$unit" 2>&1)"
done
check "boxwright-hostkeys.service ran without error" systemctl is-active --quiet boxwright-hostkeys.service
for unit in haproxy.service keepalived.service; do
  expect_eq "$unit (ha lab role) is disabled" disabled "$(systemctl is-enabled "$unit" 2>&1)"
done
check "the ha role program is root-only" test "$(stat -c '%a %U' /usr/local/sbin/boxwright-role 2>&1)" = "700 root"

echo "# listening sockets"
listeners="$(ss -ltnH | awk '{print $4}')"
port_addrs() { awk -v p="$1" -F: '$NF == p { sub(":" p "$", ""); print }' <<< "$listeners" | sort -u | paste -sd' ' -; }
public_ports="$(awk -F: '{ a = $0; sub(":[0-9]+$", "", a); if (a !~ /^(127\.|\[::1\]$)/) print $NF }' <<< "$listeners" | sort -un | paste -sd' ' -)"
expected_public="$(printf '%s\n' 22 "$NGINX_PORT" | sort -un | paste -sd' ' -)"
expect_eq "only ports 22 and $NGINX_PORT listen beyond loopback" "$expected_public" "$public_ports"
check "sshd listens on port 22" grep -qE ':22$' <<< "$listeners"
check "nginx listens on all addresses, port $NGINX_PORT" grep -qE "^(0\.0\.0\.0|\*|\[::\]):${NGINX_PORT}$" <<< "$listeners"
expect_eq "the app listens on 127.0.0.1:$APP_PORT only" "127.0.0.1" "$(port_addrs "$APP_PORT")"
expect_eq "its second instance listens on 127.0.0.1:$APP_PORT_STANDBY only" "127.0.0.1" "$(port_addrs "$APP_PORT_STANDBY")"
expect_eq "the database listens on 127.0.0.1:3306 only" "127.0.0.1" "$(port_addrs 3306)"

echo "# database"
{{#isMariadb}}
check "MariaDB starts without a Galera recovery run" test "$(systemctl show mariadb.service -p ExecStartPre | grep -c galera_recovery)" = 0
{{/isMariadb}}
expect_eq "no anonymous database users" 0 "$(sql "SELECT COUNT(*) FROM mysql.user WHERE User = ''")"
expect_eq "no remote root" 0 "$(sql "SELECT COUNT(*) FROM mysql.user WHERE User = 'root' AND Host <> 'localhost'")"
check "root@localhost keeps unix socket authentication" grep -qE 'unix_socket|auth_socket' <<< "$(sql "SHOW CREATE USER 'root'@'localhost'")"
expect_eq "no test database" "" "$(sql "SHOW DATABASES LIKE 'test'")"
expect_eq "no grants on test databases" 0 "$(sql "SELECT COUNT(*) FROM mysql.db WHERE Db = 'test' OR Db LIKE 'test\\_%'")"
expect_eq "the app database $DB_NAME exists" "$DB_NAME" "$(sql "SHOW DATABASES LIKE '$DB_NAME'")"
expect_eq "the app user exists at localhost only" localhost "$(sql "SELECT Host FROM mysql.user WHERE User = '$DB_USER'" | paste -sd' ' -)"
app_grants() {
  local grants line
  grants="$(sql "SHOW GRANTS FOR '$DB_USER'@'localhost'")" || { echo "$grants"; return 1; }
  while IFS= read -r line; do
    [[ "$line" == "GRANT USAGE ON *.* TO "* ]] && continue
    [[ "$line" == *" ON \`$DB_NAME\`.* TO "* ]] && continue
    echo "unexpected grant: ${line%% IDENTIFIED*}"
    return 1
  done <<< "$grants"
  grep -q " ON \`$DB_NAME\`\.\* TO " <<< "$grants" || { echo "no grant on $DB_NAME"; return 1; }
}
check "the app user has privileges on $DB_NAME only" app_grants
expect_eq "local_infile is OFF" 0 "$(sql 'SELECT @@GLOBAL.local_infile')"
expect_eq "bind address is 127.0.0.1" 127.0.0.1 "$(sql 'SELECT @@GLOBAL.bind_address')"
expect_eq "skip_name_resolve is ON" 1 "$(sql 'SELECT @@GLOBAL.skip_name_resolve')"
app_login() {
  # The password reaches the client through a file descriptor, never argv.
  "$DB_CLIENT" --defaults-extra-file=<(printf '[client]\npassword=%s\n' "$(cat "$PW_FILE")") \
    --protocol=socket --user="$DB_USER" --batch --skip-column-names -e 'SELECT 1' "$DB_NAME"
}
check "the app user logs in with the first-boot password" app_login

echo "# nginx"
# fetch HOST PATH: prints the status line and headers, lowercased.
fetch() { curl -sS -o /dev/null -D - --max-time 10 -H "Host: $1" "$BASE_URL$2" | tr -d '\r' | tr '[:upper:]' '[:lower:]'; }
check "nginx -t passes" nginx -t -q
for server_name in "${SERVER_NAMES[@]}"; do
  head_root="$(fetch "$server_name" /)"
  check "GET / with Host $server_name is 200" grep -qE '^http/1\.1 200' <<< "$head_root"
done
head_root="$(fetch "$HOSTNAME_" /)"
head_404="$(fetch "$HOSTNAME_" /no-such-page)"
check "an unknown path is a 404" grep -qE '^http/1\.1 404' <<< "$head_404"
for header in 'x-content-type-options: nosniff' 'x-frame-options: (deny|sameorigin)' 'referrer-policy: ' \
  'content-security-policy: ' 'permissions-policy: '; do
  check "200 carries ${header%%:*}" grep -qE "^$header" <<< "$head_root"
  check "404 carries ${header%%:*}" grep -qE "^$header" <<< "$head_404"
done
check "the Server header carries no version" grep -qxE 'server: nginx' <<< "$head_root"
unknown_host() {
  local rc=0
  curl -sS -o /dev/null --max-time 10 -H 'Host: unknown.invalid' "$BASE_URL/" 2>/dev/null || rc=$?
  [[ $rc -eq 52 ]] || { echo "curl exit $rc, expected 52 (empty reply: 444)"; return 1; }
}
check "an unknown Host gets the connection closed (444)" unknown_host
expect_eq "/healthz through nginx says ok" ok "$(curl -sS --max-time 10 -H "Host: $HOSTNAME_" "$BASE_URL/healthz")"
visits() { curl -sS --max-time 10 -H "Host: $HOSTNAME_" "$BASE_URL/" | sed -n 's/.*id="visits">\([0-9]*\)<.*/\1/p'; }
v1="$(visits)"
v2="$(visits)"
check "the visit counter counts (stored in the database)" test -n "$v1" -a "${v2:-0}" -eq "$((${v1:-0} + 1))"

echo "# app"
expect_eq "the app user has no login shell" /usr/sbin/nologin "$(getent passwd "$APP_USER" | cut -d: -f7)"
main_pid="$(systemctl show -p MainPID --value "$APP_UNIT" 2>/dev/null)"
[[ "$main_pid" =~ ^[1-9][0-9]*$ ]] || main_pid=0
expect_eq "the app runs as $APP_USER" "$APP_USER" "$(ps -o user= -p "$main_pid" 2>&1 | tr -d ' ')"
expect_eq "the app runs /usr/bin/node directly" "$(readlink -f /usr/bin/node)" "$(readlink "/proc/$main_pid/exe" 2>&1)"
expect_eq "the app files belong to root" "" "$(find "$APP_DIR" ! -user root -print -quit 2>&1)"
expect_eq "$APP_DIR is 0750 root:$APP_USER" "750 root:$APP_USER" "$(stat -c '%a %U:%G' "$APP_DIR" 2>&1)"
expect_eq "the app files are in the app's group and unreadable by others" "" \
  "$(find "$APP_DIR" ! -type l \( ! -group "$APP_USER" -o -perm /007 \) -print -quit 2>&1)"
check "the app's plain files are 0640" test -z "$(find "$APP_DIR" -type f ! -perm /111 ! -perm 0640 -print -quit 2>&1)"
check "no .env, .npmrc, .git or key file was bundled" test -z "$(find "$APP_DIR" -name node_modules -prune -o \( -name '.env*' -o -name .npmrc -o -name .git -o -name '*.pem' -o -name '*.key' -o -name 'id_*' \) -print -quit 2>&1)"
app_user_ours() { [[ "$(cat "/var/lib/boxwright/accounts/$APP_USER" 2>&1)" == "uid=$(id -u "$APP_USER")" ]]; }
check "the app user is one Boxwright created (recorded with its uid)" app_user_ours
unavailable_page() {
  local head rc=0
  systemctl stop "$APP_UNIT" "$APP_UNIT_STANDBY" || return 1
  head="$(fetch "$HOSTNAME_" /)" || rc=$?
  systemctl start "$APP_UNIT" "$APP_UNIT_STANDBY" || { echo "could not start the app again"; return 1; }
  [[ $rc -eq 0 ]] || { echo "curl failed ($rc)"; return 1; }
  grep -qE '^http/1\.1 503' <<< "$head" || { echo "status: $(head -1 <<< "$head")"; return 1; }
  grep -qE '^retry-after: [0-9]+$' <<< "$head" || { echo "no Retry-After"; return 1; }
  grep -q '^x-content-type-options: nosniff' <<< "$head" || { echo "no security headers"; return 1; }
}
check "while the app is down nginx answers 503 with Retry-After (not 502)" unavailable_page
expect_eq "after the restart the app answers at once (ExecStartPost waited for /healthz)" 200 \
  "$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -H "Host: $HOSTNAME_" "$BASE_URL/")"
check "boxwright-ready (run by the lab after vagrant up) sees the site answer 200" /usr/local/sbin/boxwright-ready 30
app_cannot_write() { ! runuser -u "$APP_USER" -- test -w "$APP_DIR"; }
check "the app user cannot write $APP_DIR" app_cannot_write
exposure() {
  local score
  score="$(systemd-analyze security "$APP_UNIT" 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')"
  [[ -n "$score" ]] || { echo "no exposure score"; return 1; }
  echo "exposure $score"
  awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'
}
if out="$(exposure)"; then ok "systemd-analyze security: $out <= $MAX_EXPOSURE"; else not_ok "systemd-analyze security: ${out:-?} > $MAX_EXPOSURE"; fi

echo "# firewall"
{{#firewallEnabled}}
check "nftables.service is enabled" systemctl is-enabled --quiet nftables.service
input_chain="$(nft list chain inet filter input 2>&1)"
check "the nft input chain has policy drop" grep -q 'hook input priority filter; policy drop;' <<< "$input_chain"
check "the nft input chain accepts 22 and $NGINX_PORT" grep -qE "tcp dport \{ 22, ${NGINX_PORT} \}" <<< "$input_chain"
{{/firewallEnabled}}
{{^firewallEnabled}}
ok "firewall disabled by the image spec # SKIP"
{{/firewallEnabled}}

echo "# ssh"
sshd_t="$(sshd -T 2>&1)"
for setting in 'permitrootlogin no' 'passwordauthentication no' 'kbdinteractiveauthentication no' 'usedns no' 'pubkeyauthentication yes'; do
  check "sshd: $setting" grep -qx "$setting" <<< "$sshd_t"
done
for type in ecdsa ed25519; do
  check "SSH host key $type present" test -s "/etc/ssh/ssh_host_${type}_key" -a -s "/etc/ssh/ssh_host_${type}_key.pub"
done
check "sshd offers only the per-VM host keys" diff <(grep -i '^hostkey ' <<< "$sshd_t" | sort) <(printf 'hostkey /etc/ssh/ssh_host_ecdsa_key\nhostkey /etc/ssh/ssh_host_ed25519_key\n')
check "e2scrub is masked or absent (boot time)" test "$(systemctl is-enabled e2scrub_reap.service 2>/dev/null | grep -v '^masked$')" = ""
check "the base's ssh-keygen -A unit is masked or absent" test "$(systemctl is-enabled boxwright-ssh-host-keys.service 2>/dev/null | grep -v '^masked$')" = ""
check "the distro's sshd-keygen.service (ssh-keygen -A) is masked or absent" test "$(systemctl is-enabled sshd-keygen.service 2>/dev/null | grep -v '^masked$')" = ""

echo "# secrets"
expect_eq "the DB password file is 0600 root:root" "600 root:root" "$(stat -c '%a %U:%G' "$PW_FILE" 2>&1)"
expect_eq "the secrets folder is 0700 root:root" "700 root:root" "$(stat -c '%a %U:%G' /etc/boxwright/secrets 2>&1)"
check "the DB password is not empty" test -s "$PW_FILE"
# grep -f reads the password from the file, so it is not in grep's own argv either.
pw_nowhere() {
  local hits
  hits="$(grep -lsF -f "$PW_FILE" "$@" 2>/dev/null | grep -v "^$PW_FILE\$" || true)"
  [[ -z "$hits" ]] || { echo "found in: $hits"; return 1; }
}
[[ -s "$PW_FILE" ]] || PW_FILE=/dev/null
check "the DB password is in no process's argv" pw_nowhere /proc/[0-9]*/cmdline
check "the DB password is in no process's environment" pw_nowhere /proc/[0-9]*/environ
check "the DB password is in the app's environment neither" pw_nowhere "/proc/$main_pid/environ"
pw_not_in_files() { pw_nowhere -r /etc /opt /usr/local /var/log "$APP_DIR"; }
check "the DB password is in no file but its own" pw_not_in_files

echo "# identity and cleanup"
machine_id="$(cat /etc/machine-id 2>&1)"
check "machine-id is set" grep -qxE '[0-9a-f]{32}' <<< "$machine_id"
if [[ -f /var/lib/boxwright/build-machine-id.sha256 ]]; then
  check "machine-id is this VM's own, not the build's" test "$(printf '%s\n' "$machine_id" | sha256sum | cut -d' ' -f1)" != "$(cat /var/lib/boxwright/build-machine-id.sha256)"
fi
check "the staging folder $STAGING_DIR is gone" test ! -e "$STAGING_DIR"
check "the build-only apt settings are gone" test ! -e /etc/apt/apt.conf.d/99boxwright-build
check "unattended upgrades are on" grep -q 'APT::Periodic::Unattended-Upgrade "1"' <<< "$(apt-config dump)"
check "apt fetches no translated descriptions (Acquire::Languages none)" grep -qx 'Acquire::Languages:: "none";' <<< "$(apt-config dump)"
for timer in apt-daily.timer apt-daily-upgrade.timer; do
  expect_eq "$timer is enabled" enabled "$(systemctl is-enabled "$timer" 2>&1)"
done

# ── hardening (65-hardening.sh; issue 17: the Lynis audit) ──────────────────────────────────────
echo "# hardening"
sysctl_is() { local got; got="$(sysctl -n "$1" 2>&1)"; [[ "$got" == "$2" ]] || { echo "$1 = $got, expected $2"; return 1; }; }
while read -r key value; do
  check "sysctl $key = $value" sysctl_is "$key" "$value"
done < <(sed -n 's/^\([a-z][a-z0-9_.-]*\) = \(.*\)$/\1 \2/p' /etc/sysctl.d/60-boxwright-hardening.conf /etc/sysctl.d/protect-links.conf)
check "probe (Lynis KRNL-6000): fs.protected_fifos is 2, the vendor protect-links.conf replaced" sysctl_is fs.protected_fifos 2
check "the sysctl drop-in is installed (over 30 keys)" test "$(grep -cE '^[a-z]' /etc/sysctl.d/60-boxwright-hardening.conf 2>/dev/null)" -gt 30
for module in usb-storage firewire-core firewire-ohci firewire-sbp2 dccp sctp rds tipc; do
  check "kernel module $module is kept from loading" grep -qx "install ${module//-/_} /bin/true" <<< "$(modprobe --showconfig 2>&1)"
done
check "no core dumps for login sessions (limits.d: hard and soft core 0)" grep -qx '\* hard core 0' /etc/security/limits.d/10-boxwright-nocore.conf
# The hard limit (LimitCORE; the soft one is LimitCORESoft) of the manager and of a started service:
# Debian 13 ships its own system.conf drop-in (DefaultLimitCORE=0:infinity) that ours must outrank.
expect_eq "no core dumps for services (the manager's DefaultLimitCORE)" 0 "$(systemctl show -p DefaultLimitCORE --value 2>&1)"
expect_eq "no core dumps for services (LimitCORE of nginx.service)" 0 "$(systemctl show -p LimitCORE --value nginx.service 2>&1)"
expect_eq "a login shell has no core dumps (ulimit -c, soft and hard)" "0 0" "$(runuser -l vagrant -c 'ulimit -Sc; ulimit -Hc' 2>&1 | paste -sd' ' -)"
for banner in /etc/issue /etc/issue.net; do
  check "$banner carries the legal banner" grep -q 'Authorized access only' "$banner"
done
login_def() { awk -v k="$1" '$1 == k { v = $2 } END { print v }' /etc/login.defs; }
for pair in PASS_MAX_DAYS=365 PASS_MIN_DAYS=1 SHA_CRYPT_MIN_ROUNDS=5000 HOME_MODE=0750; do
  expect_eq "login.defs ${pair%%=*} is ${pair#*=}" "${pair#*=}" "$(login_def "${pair%%=*}")"
done
expect_eq "home folders are 0750" "" "$(find /home -mindepth 1 -maxdepth 1 -type d ! -perm 0750 -print 2>&1)"
check "PAM checks password strength (pam_passwdqc)" grep -q pam_passwdqc /etc/pam.d/common-password
check "PAM gives each session its own temp folder (pam_tmpdir)" grep -q pam_tmpdir /etc/pam.d/common-session
for setting in 'allowtcpforwarding local' 'allowagentforwarding no' 'compression no' 'loglevel VERBOSE' 'maxauthtries 3' 'tcpkeepalive no' 'maxsessions 10'; do
  check "sshd: $setting" grep -qx "$setting" <<< "$sshd_t"
done
expect_eq "sshd_config is 0600 root:root" "600 root:root" "$(stat -c '%a %U:%G' /etc/ssh/sshd_config 2>&1)"
for unit in sysstat.service tmp.mount; do
  expect_eq "$unit is active" active "$(systemctl is-active "$unit" 2>&1)"
done
check "/tmp is its own tmpfs, nosuid and nodev" grep -qE '^tmpfs .*nosuid.*nodev|^tmpfs .*nodev.*nosuid' <<< "$(findmnt -n -o FSTYPE,OPTIONS /tmp 2>&1)"
check "sysstat collects activity" grep -qx 'ENABLED="true"' /etc/default/sysstat
expect_eq "cron folders are root-only (0700)" "" "$(find /etc/cron.d /etc/cron.hourly /etc/cron.daily /etc/cron.weekly /etc/cron.monthly -maxdepth 0 -type d ! -perm 0700 -print 2>/dev/null)"
for tool in debsums apt-show-versions; do
  check "$tool is installed" command -v "$tool"
done

tap_done
