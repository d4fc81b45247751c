#!/usr/bin/env bash
# Installs the Debian 12 host packages Boxwright builds, boots and tests boxes with.
# Safe to run again (apt-get install is idempotent). Needs root (or sudo).
set -Eeuo pipefail
sudo=
if [[ $(id -u) -ne 0 ]]; then sudo=sudo; fi
packages=(
  packer                                   # the build orchestrator (Debian ships 1.6.6)
  qemu-system-x86 qemu-utils               # VM builds (TCG or KVM) and booting boxes in tests
  mmdebstrap e2fsprogs fdisk extlinux syslinux-common   # Debian base disk and chroot builds
  pigz                                     # packs chroot-built boxes on every core
  xorriso                                  # NoCloud seed CD for Ubuntu cloud-image builds
  iproute2 iputils-ping curl openssh-client   # test namespaces, ping, HTTP checks, SSH into VMs
  shellcheck nginx-light mariadb-server    # static checks of the provisioners, app test against MariaDB
  vagrant vagrant-libvirt libvirt-daemon-system libvirt-daemon-driver-qemu dnsmasq-base ruby   # the lab
  wrk haproxy keepalived                   # load under deploys and failures; ha role configs checked by their tools
  lynis                                    # the independent hardening audit (npm run audit)
)
export DEBIAN_FRONTEND=noninteractive
missing=()
for spec in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$spec" 2>/dev/null | grep -q 'install ok installed' || missing+=("$spec")
done
if ((${#missing[@]})); then
  $sudo apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 update -q
  $sudo apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 install -y -q --no-install-recommends "${missing[@]}"
fi
echo "host packages: ${#packages[@]} present"
