#!/usr/bin/env bash
# boxwright: phase=stack kinds=vm,chroot
# 10-packages: one apt run for the whole stack. Services must not run during the build, so a
# policy-rc.d keeps maintainer scripts from starting them (in VM builds too); the chroot build
# brings its own, which is left alone.
set -Eeuo pipefail
# shellcheck source=files/lib/common.sh
. {{stagingDir}}/files/lib/common.sh

POLICY=/usr/sbin/policy-rc.d
MARK='# boxwright-temporary-policy'
if [[ ! -e "$POLICY" ]]; then
  printf '#!/bin/sh\n%s\nexit 101\n' "$MARK" > "$POLICY"
  chmod 0755 "$POLICY"
fi
remove_policy() {
  if [[ -f "$POLICY" ]] && grep -qxF "$MARK" "$POLICY"; then rm -f "$POLICY"; fi
}
trap remove_policy EXIT

PACKAGES=(
  nginx
  {{dbPackage}}
  nodejs
  nftables
  haproxy
  keepalived
  unattended-upgrades
  openssh-server
  ca-certificates
  curl
  iproute2
  netbase
  tar
  gzip
  # OS hardening (65-hardening.sh configures them; issue 17): PAM per-session temp folders and
  # password strength, activity reports, package verification and versions. In this one apt run,
  # not a second one: a second run cost most of the hardening's build time.
  libpam-tmpdir
  libpam-passwdqc
  sysstat
  debsums
  apt-show-versions
)

bw_log "installing: ${PACKAGES[*]}"
bw_apt update
bw_apt install "${PACKAGES[@]}"
bw_log "node $(node --version)"
