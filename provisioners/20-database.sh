#!/usr/bin/env bash
# boxwright: phase=stack kinds=vm,chroot
# 20-database: server configuration only (bind to loopback, no LOAD DATA LOCAL, ...). Nothing here
# needs a running server: the database is secured and the app user made at first boot
# (files/firstboot/boxwright-firstboot).
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

DB_SERVICE={{dbService}}
{{#isMariadb}}
CONF_DIR=/etc/mysql/mariadb.conf.d
{{/isMariadb}}
{{#isMysql}}
CONF_DIR=/etc/mysql/mysql.conf.d
{{/isMysql}}

bw_install 0644 mysql/99-boxwright.cnf "$CONF_DIR/99-boxwright.cnf"
install -d -o mysql -g mysql -m 0750 /var/lib/mysql-files
{{#isMariadb}}
bw_install 0644 mysql/mariadb-no-galera.conf /etc/systemd/system/mariadb.service.d/10-boxwright-no-galera.conf
bw_daemon_reload
{{/isMariadb}}

# Validate the merged configuration before the server ever reads it.
{{#isMariadb}}
if ! out="$(mariadbd --help --verbose 2>&1 >/dev/null)"; then
  echo "$out" >&2
  echo "!! invalid MariaDB configuration (see $CONF_DIR)" >&2
  exit 1
fi
{{/isMariadb}}
{{#isMysql}}
if ! out="$(mysqld --validate-config --user=mysql 2>&1)"; then
  echo "$out" >&2
  echo "!! invalid MySQL configuration (see $CONF_DIR)" >&2
  exit 1
fi
{{/isMysql}}

systemctl enable --quiet --no-reload "$DB_SERVICE"
if ((BW_CHANGED)); then bw_restart_if_active "$DB_SERVICE"; fi
bw_log "$DB_SERVICE configured"
