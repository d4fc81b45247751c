#!/bin/bash
# Bootstrap a Debian root filesystem (12 bookworm, 13 trixie) from a Debian mirror with mmdebstrap
# and write it as a tar (numeric owners, reproducible when SOURCE_DATE_EPOCH is set and the mirror
# is a fixed snapshot). The root is customized as a Vagrant base by debian-customize.sh, which also
# writes the root's apt sources: one-line `sources.list` (bookworm) or deb822
# `sources.list.d/debian.sources` (trixie's own format).
#
# Usage: debian-rootfs.sh --output FILE.tar [--mirror URL] [--security-mirror URL|""]
#                         [--suite bookworm] [--packages FILE] [--hostname NAME]
#                         [--sources-format list|deb822]
# Needs root and mmdebstrap (apt-get install mmdebstrap); bookworm's mmdebstrap 1.3.5 and its
# debian-archive-keyring (which holds the trixie keys) bootstrap trixie too.
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mirror=http://deb.debian.org/debian
security_mirror=http://deb.debian.org/debian-security
suite=bookworm
packages_file=$here/debian-12-packages.txt
sources_format=list
hostname=boxwright
output=

usage() { sed -n 's/^# \{0,1\}Usage: //p' "$0" >&2; exit 2; }

while (($#)); do
  case $1 in
    --output) output=${2:?}; shift 2 ;;
    --mirror) mirror=${2:?}; shift 2 ;;
    --security-mirror) security_mirror=${2-}; shift 2 ;;
    --suite) suite=${2:?}; shift 2 ;;
    --packages) packages_file=${2:?}; shift 2 ;;
    --hostname) hostname=${2:?}; shift 2 ;;
    --sources-format) sources_format=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    *) printf 'debian-rootfs: unknown argument %s\n' "$1" >&2; usage ;;
  esac
done
[[ -n $output ]] || usage
[[ $sources_format == list || $sources_format == deb822 ]] || { echo "debian-rootfs: --sources-format must be list or deb822" >&2; usage; }
command -v mmdebstrap >/dev/null || { echo 'mmdebstrap is missing: apt-get install mmdebstrap' >&2; exit 3; }

mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$packages_file")
include=$(IFS=,; printf '%s' "${packages[*]}")

sources=("deb $mirror $suite main" "deb $mirror $suite-updates main")
if [[ -n $security_mirror ]]; then
  sources+=("deb $security_mirror $suite-security main")
fi

export BOXWRIGHT_CUSTOMIZE=$here/debian-customize.sh
export BOXWRIGHT_BASE_FILES=$here/files
export BOXWRIGHT_HOSTNAME=$hostname
export BOXWRIGHT_MIRROR=$mirror BOXWRIGHT_SECURITY_MIRROR=$security_mirror BOXWRIGHT_SUITE=$suite
export BOXWRIGHT_SOURCES_FORMAT=$sources_format

# Docs, man pages and translations are removed by the customize step, which also installs the
# dpkg path-excludes for later installs (as --dpkgopt they would make mmdebstrap filter every
# essential package through mmtarfilter, which is slow).
# shellcheck disable=SC2016 # $1 and $BOXWRIGHT_CUSTOMIZE expand inside mmdebstrap's hook shell
mmdebstrap \
  --variant=apt \
  --mode=root \
  --format=tar \
  --include="$include" \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  --aptopt='Acquire::Retries "3"' \
  --customize-hook='"$BOXWRIGHT_CUSTOMIZE" "$1"' \
  "$suite" "$output" "${sources[@]}"
