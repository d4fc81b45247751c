#!/usr/bin/env bash
# 30-app: the app's system user, the app bundle (built on the host, node_modules included; the
# guest never runs npm) unpacked read-only under root, and its hardened systemd unit.
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

APP_USER={{appUser}}
APP_DIR={{appDir}}
APP_ENTRY={{appEntry}}
BUNDLE={{stagingDir}}/app.tar.gz

if ! id -u "$APP_USER" >/dev/null 2>&1; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --comment "{{name}} app" "$APP_USER"
fi
usermod --shell /usr/sbin/nologin "$APP_USER"

[[ -f "$BUNDLE" ]] || { echo "!! missing app bundle $BUNDLE" >&2; exit 1; }
# Unpack next to the target, then swap, so a failed unpack never leaves half an app.
NEW="${APP_DIR}.new"
rm -rf "$NEW" "${NEW}.inner"
install -d -o root -g root -m 0755 "$NEW"
tar -xzf "$BUNDLE" -C "$NEW" --no-same-owner --no-same-permissions
# Accept a bundle with the app at its top (tar -C app -czf app.tar.gz .) or in one folder
# (e.g. npm pack's package/): move that folder's content up.
if [[ ! -e "$NEW/$APP_ENTRY" ]]; then
  mapfile -t top < <(find "$NEW" -mindepth 1 -maxdepth 1)
  if [[ ${#top[@]} -eq 1 && -f "${top[0]}/$APP_ENTRY" ]]; then
    mv "${top[0]}" "${NEW}.inner"
    rmdir "$NEW"
    mv "${NEW}.inner" "$NEW"
  fi
fi
chown -R root:root "$NEW"
chmod -R u=rwX,go=rX "$NEW"
[[ -f "$NEW/$APP_ENTRY" ]] || { echo "!! $APP_ENTRY not found at the top of $BUNDLE" >&2; exit 1; }
[[ -d "$NEW/node_modules" ]] || { echo "!! $BUNDLE has no node_modules (bundle it on the host)" >&2; exit 1; }
if [[ -d "$APP_DIR" ]] && diff -r -q --no-dereference "$APP_DIR" "$NEW" >/dev/null 2>&1 \
  && [[ -z "$(find "$APP_DIR" \( ! -user root -o -perm /022 \) -print -quit)" ]]; then
  rm -rf "$NEW"   # same app already in place
else
  rm -rf "$APP_DIR"
  mv "$NEW" "$APP_DIR"
  bw_changed
fi

bw_install 0644 systemd/boxwright-app.service /etc/systemd/system/boxwright-app.service
bw_daemon_reload
systemctl enable --quiet --no-reload boxwright-app.service
# The app needs the first-boot DB password, so it is not started during the build; on a running
# VM (re-provisioning) it is restarted only if the app or its unit changed.
if ((BW_CHANGED)); then bw_restart_if_active boxwright-app.service; fi
bw_log "app unpacked to $APP_DIR ($(node -e 'process.stdout.write(require(process.argv[1]).version || "?")' "$APP_DIR/package.json" 2>/dev/null || echo '?'))"
