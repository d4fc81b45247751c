#!/usr/bin/env bash
# boxwright: phase=stack kinds=vm,chroot
# 30-app: the app's system user, the app bundle (built on the host, node_modules included; the
# guest never runs npm) installed read-only under root as a release, and its hardened systemd unit
# (two instances).
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

APP_USER={{appUser}}
APP_DIR={{appDir}}
BUNDLE={{stagingDir}}/app.tar.gz

if ! id -u "$APP_USER" >/dev/null 2>&1; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --comment "{{name}} app" "$APP_USER"
fi
usermod --shell /usr/sbin/nologin "$APP_USER"

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
bw_daemon_reload
INSTANCES=("boxwright-app@"{{appPort}}.service "boxwright-app@"{{appPortStandby}}.service)
systemctl enable --quiet --no-reload "${INSTANCES[@]}"
# The app needs the first-boot DB password, so it is not started during the build; on a running
# VM (re-provisioning) each instance is restarted, one after the other, only if something changed.
if ((BW_CHANGED)); then
  for unit in "${INSTANCES[@]}"; do bw_restart_if_active "$unit"; done
fi
bw_log "app release $release in $APP_DIR/current ($(node -e 'process.stdout.write(require(process.argv[1]).version || "?")' "$APP_DIR/current/package.json" 2>/dev/null || echo '?'))"
