#!/usr/bin/env bash
# boxwright: phase=stack kinds=vm,chroot
# 30-app: the app's system user, the app bundle (built on the host, node_modules included; the
# guest never runs npm) installed as a release readable by root and the app's group only, and its
# hardened systemd unit (two instances, each active once it answers /healthz). An account this
# script did not create is never modified: an existing user or group of that name stops the build.
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

APP_USER={{appUser}}
APP_DIR={{appDir}}
BUNDLE={{stagingDir}}/app.tar.gz
# Accounts made here are recorded (name and uid), so a second run knows them as its own.
ACCOUNTS=/var/lib/boxwright/accounts
MARK="$ACCOUNTS/$APP_USER"

ours() { [[ -f "$MARK" && "$(cat "$MARK")" == "uid=$(id -u "$APP_USER" 2>/dev/null)" ]]; }
if id -u "$APP_USER" >/dev/null 2>&1; then
  if ! ours; then
    echo "!! app.user \"$APP_USER\" is an existing account that Boxwright did not create (uid $(id -u "$APP_USER")); it is left as it is. Choose another app.user in image.json." >&2
    exit 1
  fi
elif getent group "$APP_USER" >/dev/null 2>&1; then
  echo "!! a group \"$APP_USER\" already exists, and Boxwright did not create it; it is left as it is. Choose another app.user in image.json." >&2
  exit 1
else
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --comment "{{name}} app" "$APP_USER"
  install -d -o root -g root -m 0700 "$ACCOUNTS"
  printf 'uid=%s\n' "$(id -u "$APP_USER")" > "$MARK"
  chmod 0600 "$MARK"
  bw_log "created the system user $APP_USER"
fi
# Our own account: its shell stays nologin (changed only if something else changed it).
if [[ "$(getent passwd "$APP_USER" | cut -d: -f7)" != /usr/sbin/nologin ]]; then
  usermod --shell /usr/sbin/nologin "$APP_USER"
fi

[[ -f "$BUNDLE" ]] || { echo "!! missing app bundle $BUNDLE" >&2; exit 1; }
# Releases side by side under $APP_DIR/releases/<id>, $APP_DIR/current pointing at one of them:
# the same program `boxwright deploy` uses later on the running VM.
bw_install 0755 app/boxwright-release.sh /usr/local/sbin/boxwright-release
before="$(readlink "$APP_DIR/current" 2>/dev/null || true)"
release="$(/usr/local/sbin/boxwright-release install "$BUNDLE")"
/usr/local/sbin/boxwright-release activate "$release"
/usr/local/sbin/boxwright-release prune
[[ "$(readlink "$APP_DIR/current")" == "$before" ]] || bw_changed

# Two instances of the app (appPort and appPortStandby) behind nginx: a deploy restarts one while
# the other serves.
bw_install 0644 systemd/boxwright-app@.service /etc/systemd/system/boxwright-app@.service
bw_install 0755 app/boxwright-app-ready /usr/local/libexec/boxwright/boxwright-app-ready
bw_daemon_reload
INSTANCES=("boxwright-app@"{{appPort}}.service "boxwright-app@"{{appPortStandby}}.service)
systemctl enable --quiet --no-reload "${INSTANCES[@]}"
# The app needs the first-boot DB password, so it is not started during the build; on a running
# VM (re-provisioning) each instance is restarted, one after the other, only if something changed.
if ((BW_CHANGED)); then
  for unit in "${INSTANCES[@]}"; do bw_restart_if_active "$unit"; done
fi
bw_log "app release $release in $APP_DIR/current ($(node -e 'process.stdout.write(require(process.argv[1]).version || "?")' "$APP_DIR/current/package.json" 2>/dev/null || echo '?'))"
