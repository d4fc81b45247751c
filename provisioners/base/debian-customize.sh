#!/bin/bash
# Turn a freshly bootstrapped Debian 12 or 13 root into a Vagrant base: vagrant user with the
# insecure key and passwordless sudo, sshd with host keys made at first boot, systemd-networkd DHCP
# on every NIC, systemd-resolved, empty machine-id, placeholder hostname, apt sources in the
# release's own format (BOXWRIGHT_SOURCES_FORMAT=list: sources.list; deb822: debian.sources).
#
# Usage: debian-customize.sh ROOT
# Runs as root on the host (mmdebstrap --customize-hook); uses `chroot ROOT` only for user tools.
# Safe to run twice on the same root.
set -Eeuo pipefail

root=${1:?usage: debian-customize.sh ROOT}
files=${BOXWRIGHT_BASE_FILES:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/files}
hostname=${BOXWRIGHT_HOSTNAME:-boxwright}
sources_format=${BOXWRIGHT_SOURCES_FORMAT:-list}

log() { printf 'customize: %s\n' "$*" >&2; }

log "vagrant user"
if ! chroot "$root" id -u vagrant >/dev/null 2>&1; then
  chroot "$root" useradd --create-home --shell /bin/bash --user-group vagrant
fi
# Key authentication only: the password stays locked.
chroot "$root" passwd --lock vagrant >/dev/null
install -d -m 0700 "$root/home/vagrant/.ssh"
install -m 0600 "$files/vagrant.pub" "$root/home/vagrant/.ssh/authorized_keys"
chroot "$root" chown -R vagrant:vagrant /home/vagrant/.ssh

log "passwordless sudo"
install -d -m 0750 "$root/etc/sudoers.d"
printf 'vagrant ALL=(ALL) NOPASSWD: ALL\n' >"$root/etc/sudoers.d/vagrant"
chmod 0440 "$root/etc/sudoers.d/vagrant"
chroot "$root" visudo -c -q -f /etc/sudoers.d/vagrant

log "sshd: host keys made at first boot"
install -d "$root/etc/ssh/sshd_config.d"
install -m 0644 "$files/10-boxwright.conf" "$root/etc/ssh/sshd_config.d/10-boxwright.conf"
rm -f "$root"/etc/ssh/ssh_host_*
install -m 0644 "$files/boxwright-ssh-host-keys.service" "$root/etc/systemd/system/boxwright-ssh-host-keys.service"
systemctl --root="$root" enable ssh.service boxwright-ssh-host-keys.service
# Debian 13's openssh-server brings its own first-boot `ssh-keygen -A` (sshd-keygen.service);
# the unit above does the same job once.
if [[ -e $root/usr/lib/systemd/system/sshd-keygen.service || -e $root/lib/systemd/system/sshd-keygen.service ]]; then
  systemctl --root="$root" mask sshd-keygen.service
fi

log "network: systemd-networkd DHCP catch-all + systemd-resolved"
install -d "$root/etc/systemd/network"
install -m 0644 "$files/99-boxwright-dhcp.network" "$root/etc/systemd/network/99-boxwright-dhcp.network"
install -d "$root/etc/systemd/system/systemd-networkd-wait-online.service.d"
install -m 0644 "$files/wait-online-any.conf" "$root/etc/systemd/system/systemd-networkd-wait-online.service.d/10-boxwright.conf"
systemctl --root="$root" enable systemd-networkd.service systemd-resolved.service systemd-timesyncd.service
ln -sfn ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"

log "identity: empty machine-id, placeholder hostname"
: >"$root/etc/machine-id"
chmod 0444 "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
printf '%s\n' "$hostname" >"$root/etc/hostname"
cat >"$root/etc/hosts" <<HOSTS
127.0.0.1	localhost
127.0.1.1	$hostname

::1	localhost ip6-localhost ip6-loopback
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
HOSTS

if [[ $sources_format == deb822 && -n ${BOXWRIGHT_MIRROR:-} && -n ${BOXWRIGHT_SUITE:-} ]]; then
  log "apt: deb822 sources (/etc/apt/sources.list.d/debian.sources)"
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  install -d "$root/etc/apt/sources.list.d"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: %s\n' \
      "$BOXWRIGHT_MIRROR" "$BOXWRIGHT_SUITE" "$BOXWRIGHT_SUITE" "$keyring"
    if [[ -n ${BOXWRIGHT_SECURITY_MIRROR:-} ]]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: %s\n' \
        "$BOXWRIGHT_SECURITY_MIRROR" "$BOXWRIGHT_SUITE" "$keyring"
    fi
  } >"$root/etc/apt/sources.list.d/debian.sources"
  chmod 0644 "$root/etc/apt/sources.list.d/debian.sources"
  rm -f "$root/etc/apt/sources.list"
fi

log "apt: no background apt-daily runs (they hold the dpkg lock while provisioners run)"
systemctl --root="$root" disable apt-daily.timer apt-daily-upgrade.timer 2>/dev/null || true

log "no docs, man pages or translations (now and for later installs)"
install -d "$root/etc/dpkg/dpkg.cfg.d"
install -m 0644 "$files/dpkg-excludes" "$root/etc/dpkg/dpkg.cfg.d/boxwright-excludes"
if [[ -d $root/usr/share/doc ]]; then
  find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
fi
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian/*
if [[ -d $root/usr/share/locale ]]; then
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
fi

log "cleanup"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/tmp/* "$root"/var/tmp/*
find "$root/var/cache/apt/archives" -type f -name '*.deb' -delete
rm -f "$root"/var/log/*.log "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old
