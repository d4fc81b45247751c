#!/usr/bin/env bash
# boxwright-release: the app's releases side by side, and the switch between them without a failed
# request. Installed as /usr/local/sbin/boxwright-release; used by the build (30-app.sh) and by
# `boxwright deploy` over SSH (as root, the bundle on stdin: nothing secret is in a release).
#
#   boxwright-release install [FILE]  unpack a bundle (tar.gz; FILE, or stdin) as releases/<id>, where
#                                     <id> is the first 16 hex digits of its sha256; prints <id>
#   boxwright-release activate ID     point `current` at releases/ID (one rename: atomic); the release
#                                     it pointed at becomes `previous`
#   boxwright-release deploy ID       activate ID, then restart the app instances one after the other,
#                                     each health-checked (/healthz on its own port) before the next;
#                                     when one fails, the previous release comes back and it exits 1
#   boxwright-release rollback        deploy the previous release
#   boxwright-release status          one JSON line: current, previous, releases, instances
#
# nginx sends each request to one of the instances and passes it to the other when that one is
# down (refused, reset, 502/503): one instance always serves while the other restarts.
set -Eeuo pipefail
umask 022
export LC_ALL=C.UTF-8

# BOXWRIGHT_ROOT only exists for the tests (a temp tree); on the box it is empty.
R="${BOXWRIGHT_ROOT:-}"
APP_DIR="$R"{{appDir}}
APP_ENTRY={{appEntry}}
# The app's group: releases are readable by root and this group only (nothing for others). The
# tests (BOXWRIGHT_ROOT set) may name another group that exists on their host.
APP_GROUP={{appUser}}
if [[ -n "$R" && -n "${BOXWRIGHT_APP_GROUP:-}" ]]; then APP_GROUP="$BOXWRIGHT_APP_GROUP"; fi
PORTS=({{appPort}} {{appPortStandby}})
# Releases kept besides current and previous.
KEEP=1
HEALTH_TIMEOUT="${BOXWRIGHT_HEALTH_TIMEOUT:-300}"
RELEASES="$APP_DIR/releases"

log() { echo "boxwright-release: $*" >&2; }
die() { log "$*"; exit 1; }
unit_of() { echo "boxwright-app@$1.service"; }

valid_id() { [[ "$1" =~ ^[0-9a-f]{16}$ ]]; }

# Id of the release a link (current, previous) points at, or nothing.
link_id() {
  local target
  target="$(readlink "$APP_DIR/$1" 2>/dev/null)" || return 0
  target="${target##*/}"
  if valid_id "$target"; then echo "$target"; fi
}

# Replaces the link NAME with one to releases/ID by a rename, so it is never missing or half made.
set_link() {
  ln -sfn "releases/$2" "$APP_DIR/.$1.new"
  mv -T "$APP_DIR/.$1.new" "$APP_DIR/$1"
}

cmd_install() {
  local src="${1:--}" work id tree top
  getent group "$APP_GROUP" >/dev/null || die "no group $APP_GROUP (30-app.sh makes the app user first)"
  install -d -o root -g "$APP_GROUP" -m 0750 "$APP_DIR" "$RELEASES"
  work="$(mktemp -d "$RELEASES/.incoming.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: the trap must remove this very folder
  trap "rm -rf '$work'" EXIT
  if [[ "$src" == - ]]; then cat > "$work/bundle.tar.gz"; else cp -- "$src" "$work/bundle.tar.gz"; fi
  [[ -s "$work/bundle.tar.gz" ]] || die "empty bundle"
  id="$(sha256sum < "$work/bundle.tar.gz" | cut -c1-16)"
  if [[ ! -f "$RELEASES/$id/$APP_ENTRY" ]]; then
    tree="$work/tree"
    install -d -m 0755 "$tree"
    tar -xzf "$work/bundle.tar.gz" -C "$tree" --no-same-owner --no-same-permissions || die "the bundle is not a tar.gz"
    # A bundle with the app at its top (tar -C app -czf .), or in one folder (npm pack's package/).
    if [[ ! -e "$tree/$APP_ENTRY" ]]; then
      mapfile -t top < <(find "$tree" -mindepth 1 -maxdepth 1)
      if [[ ${#top[@]} -eq 1 && -f "${top[0]}/$APP_ENTRY" ]]; then
        mv "${top[0]}" "$work/inner"
        rmdir "$tree"
        tree="$work/inner"
      fi
    fi
    [[ -f "$tree/$APP_ENTRY" ]] || die "$APP_ENTRY not found at the top of the bundle"
    [[ -d "$tree/node_modules" ]] || die "the bundle has no node_modules (bundle it on the host)"
    rm -rf "${RELEASES:?}/$id"
    mv -T "$tree" "$RELEASES/$id"
    log "installed release $id"
  fi
  # Root's files, read-only for the app's group, nothing for others (also when the release was
  # already there).
  chown -R "root:$APP_GROUP" "$RELEASES/$id"
  chmod -R u=rwX,g=rX,o= "$RELEASES/$id"
  touch "$RELEASES/$id"   # its mtime says when it was installed (prune keeps the newest)
  rm -rf "$work"
  trap - EXIT
  echo "$id"
}

cmd_activate() {
  local id="$1" current
  valid_id "$id" || die "not a release id: $id"
  [[ -f "$RELEASES/$id/$APP_ENTRY" ]] || die "no release $id; install it first"
  current="$(link_id current)"
  [[ "$current" == "$id" ]] && return 0
  if [[ -n "$current" ]]; then set_link previous "$current"; fi
  set_link current "$id"
  log "current release: $id${current:+ (previous: $current)}"
}

# Removes releases other than current, previous and the KEEP newest others.
prune() {
  local current previous r kept=0
  current="$(link_id current)"
  previous="$(link_id previous)"
  while IFS= read -r r; do
    [[ "$r" == "$current" || "$r" == "$previous" ]] && continue
    if ((kept < KEEP)); then kept=$((kept + 1)); continue; fi
    rm -rf "${RELEASES:?}/$r"
    log "removed old release $r"
  done < <(find "$RELEASES" -mindepth 1 -maxdepth 1 -type d -regextype egrep -regex '.*/[0-9a-f]{16}' -printf '%T@ %f\n' | sort -rn | cut -d' ' -f2)
}

# Release an instance runs: the folder its process started in.
instance_release() {
  local pid cwd
  pid="$(systemctl show -p MainPID --value "$(unit_of "$1")" 2>/dev/null || echo 0)"
  [[ "$pid" =~ ^[1-9][0-9]*$ ]] || return 0
  cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null)" || return 0
  cwd="${cwd##*/}"
  if valid_id "$cwd"; then echo "$cwd"; fi
}

healthy() {
  [[ "$(curl -sS --max-time 2 "http://127.0.0.1:$1/healthz" 2>/dev/null)" == ok ]]
}

# Restarts each instance in turn; each must answer /healthz on the current release before the next.
roll() {
  local want port unit until
  want="$(link_id current)"
  for port in "${PORTS[@]}"; do
    unit="$(unit_of "$port")"
    # A deploy's restart is not a crash: it must not count towards the unit's start limit.
    systemctl reset-failed "$unit" 2>/dev/null || true
    systemctl restart "$unit" || { log "$unit did not start"; return 1; }
    until=$((SECONDS + HEALTH_TIMEOUT))
    until healthy "$port"; do
      if ((SECONDS >= until)) || systemctl is-failed --quiet "$unit"; then
        log "$unit is not healthy on release $want after ${HEALTH_TIMEOUT}s at most: $(systemctl is-active "$unit" 2>&1)"
        return 1
      fi
      sleep 0.2
    done
    [[ "$(instance_release "$port")" == "$want" ]] || { log "$unit does not run release $want"; return 1; }
    log "$unit serves release $want"
  done
}

cmd_deploy() {
  local id="$1" before
  before="$(link_id current)"
  cmd_activate "$id"
  if roll; then
    prune
    cmd_status
    return 0
  fi
  if [[ -n "$before" && "$before" != "$id" ]]; then
    log "release $id failed its health check; going back to $before"
    cmd_activate "$before"
    roll || log "the previous release $before is not healthy either"
  fi
  cmd_status
  return 1
}

cmd_rollback() {
  local previous
  previous="$(link_id previous)"
  [[ -n "$previous" && -f "$RELEASES/$previous/$APP_ENTRY" ]] || die "no previous release to go back to"
  cmd_deploy "$previous"
}

json_list() {
  local first=1 item
  printf '['
  for item in "$@"; do
    ((first)) || printf ','
    first=0
    printf '"%s"' "$item"
  done
  printf ']'
}

cmd_status() {
  local releases=() port first=1
  mapfile -t releases < <(find "$RELEASES" -mindepth 1 -maxdepth 1 -type d -regextype egrep -regex '.*/[0-9a-f]{16}' -printf '%f\n' 2>/dev/null | sort)
  printf '{"current":"%s","previous":"%s","releases":%s,"instances":[' "$(link_id current)" "$(link_id previous)" "$(json_list "${releases[@]}")"
  for port in "${PORTS[@]}"; do
    ((first)) || printf ','
    first=0
    printf '{"port":%d,"unit":"%s","active":"%s","release":"%s"}' "$port" "$(unit_of "$port")" \
      "$(systemctl is-active "$(unit_of "$port")" 2>/dev/null || true)" "$(instance_release "$port")"
  done
  printf ']}\n'
}

[[ $EUID -eq 0 ]] || die "run as root (sudo)"
command="${1:-}"
shift || true
case "$command" in
  install) cmd_install "$@" ;;
  activate) [[ $# -eq 1 ]] || die "usage: boxwright-release activate ID"; cmd_activate "$1" ;;
  deploy) [[ $# -eq 1 ]] || die "usage: boxwright-release deploy ID"; cmd_deploy "$1" ;;
  rollback) cmd_rollback ;;
  prune) prune ;;
  status) cmd_status ;;
  *) die "usage: boxwright-release install [FILE] | activate ID | deploy ID | rollback | prune | status" ;;
esac
