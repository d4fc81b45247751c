# Shared helpers of the Boxwright provisioners: sourced by every provisioners/NN-*.sh, never run.
# Rendered as a shell template: mustache values arrive shell-quoted.
# shellcheck shell=bash

BW_BUILD_KIND={{buildKind}}
BW_STAGING={{stagingDir}}
BW_FILES="$BW_STAGING/files"
BW_SCRIPT="$(basename "${0:-provisioner}")"
export DEBIAN_FRONTEND=noninteractive
export LC_ALL=C.UTF-8
umask 022

trap 'echo "!! ${BW_SCRIPT}: line ${LINENO}: \"${BASH_COMMAND}\" failed (exit $?)" >&2' ERR

bw_log() {
  echo "==> ${BW_SCRIPT}: $*"
}

# True only in a booted VM build where systemd is PID 1 (never in the chroot build).
bw_systemd_running() {
  [[ "$BW_BUILD_KIND" == vm && -d /run/systemd/system ]]
}

# Set to 1 by bw_install/bw_changed when this run changed something, so services are only
# restarted or reloaded when their configuration really changed (a second run disturbs nothing).
# shellcheck disable=SC2034 # read by the scripts that source this file
BW_CHANGED=0
# shellcheck disable=SC2034
bw_changed() { BW_CHANGED=1; }

# bw_install MODE SRC DST: install a rendered file from files/ as root:root, whole file at once.
bw_install() {
  local mode="$1" src="$BW_FILES/$2" dst="$3"
  [[ -f "$src" ]] || { echo "!! ${BW_SCRIPT}: missing $src (was files/ uploaded to $BW_FILES?)" >&2; return 1; }
  if [[ -f "$dst" && ! -L "$dst" ]] && cmp -s "$src" "$dst" \
    && [[ "$(stat -c '%a:%u:%g' "$dst")" == "${mode#0}:0:0" ]]; then
    return 0
  fi
  install -D -o root -g root -m "$mode" "$src" "$dst"
  bw_changed
}

bw_daemon_reload() {
  if bw_systemd_running; then systemctl daemon-reload; fi
}

# Restart/reload a unit only if it is running (VM builds); offline it just takes effect at boot.
bw_restart_if_active() {
  if bw_systemd_running && systemctl is-active --quiet "$1"; then
    bw_log "restarting $1"
    systemctl restart "$1"
  fi
}
bw_reload_if_active() {
  if bw_systemd_running && systemctl is-active --quiet "$1"; then
    bw_log "reloading $1"
    systemctl reload "$1"
  fi
}

# apt-get with retries and a dpkg lock timeout, even before 00-apt's config exists.
bw_apt() {
  apt-get -q -y \
    -o Acquire::Retries=5 \
    -o DPkg::Lock::Timeout=600 \
    -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold \
    "$@"
}
