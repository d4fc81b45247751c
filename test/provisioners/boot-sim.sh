#!/bin/bash
# Test harness (not shipped): what the box's first boot does, without systemd, inside ROOT (mounted
# by chroot-run.sh). Run under `unshare --net`: every daemon lives in a private network namespace.
# Starts mariadbd, runs the first-boot program twice, starts the app as its user with its credential,
# nginx and sshd, loads the firewall, then runs checks/verify.sh. Stops what it started, by PID.
set -Euo pipefail
root=$1
ip link set lo up
pids=()
stop_all() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for _ in $(seq 50); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.2
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
}
trap stop_all EXIT
run() { chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

# systemd would fill an empty machine-id at boot.
[[ -s $root/etc/machine-id ]] || od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$root/etc/machine-id"
run ssh-keygen -A
run nft -f /etc/nftables.conf
run install -d -o mysql -g mysql -m 0755 /run/mysqld
chroot "$root" /usr/sbin/mariadbd --user=mysql > "$root/var/log/boot-sim-mariadbd.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do run mariadb-admin --protocol=socket ping >/dev/null 2>&1 && break; sleep 0.5; done
echo "# first boot"
run /usr/local/libexec/boxwright/boxwright-firstboot
sum=$(sha256sum < "$root/etc/boxwright/secrets/db-password")
echo "# second boot"
run /usr/local/libexec/boxwright/boxwright-firstboot
[[ "$(sha256sum < "$root/etc/boxwright/secrets/db-password")" == "$sum" ]] && echo "# password kept across boots"

# Each enabled instance of the app template, as systemd would start it (%i is the port).
unit_file="$root/etc/systemd/system/boxwright-app@.service"
app_user=$(sed -n 's/^User=//p' "$unit_file")
app_ports=()
for wanted in "$root"/etc/systemd/system/multi-user.target.wants/boxwright-app@*.service; do
  port=${wanted##*@}
  port=${port%.service}
  app_ports+=("$port")
  app_env=$(sed -n 's/^Environment=//p' "$unit_file" | sed "s/%i/$port/g")
  exec_start=$(sed -n 's/^ExecStart=//p' "$unit_file")
  cred=/run/credentials/boxwright-app@$port.service
  install -d -m 0500 "$root$cred"
  install -m 0400 "$root/etc/boxwright/secrets/db-password" "$root$cred/db-password"
  run chown -R "$app_user:" "$cred"
  # shellcheck disable=SC2086 # word splitting of the unit's Environment= and ExecStart= lines is wanted
  chroot --userspec="$app_user:$app_user" "$root" /usr/bin/env -i $app_env CREDENTIALS_DIRECTORY=$cred $exec_start \
    > "$root/var/log/boot-sim-app-$port.log" 2>&1 &
  pids+=($!)
done
echo "# app instances on ports ${app_ports[*]}"
run /usr/sbin/nginx
install -d -m 0755 "$root/run/sshd"
run /usr/sbin/sshd
for app_port in "${app_ports[@]}"; do
  for _ in $(seq 150); do ss -ltnH "sport = :$app_port" | grep -q . && break; sleep 0.2; done
done
sleep 1
pids+=("$(cat "$root/run/nginx.pid")" "$(cat "$root/run/sshd.pid")")
echo "# verify.sh"
run bash /root/checks/verify.sh
echo "# verify.sh exit $?"
