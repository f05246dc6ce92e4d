# shellcheck shell=bash
# The recipe of the lab host images, one per Debian release; sourced by
# images.sh. What every release shares is here, what differs is in
# host-debianR.sh. An image's tag and cached tarball are named after a hash of
# THIS FILE and its release's file, so an edit rebuilds the images it concerns
# when a host is next made from them. Only Debian's packages are used: no
# image registry is reachable.

# host_configure ROOTFS: turn a fresh debootstrap tree into a bootable
# container "machine".
host_configure() {
  local root=$1
  in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

  # Root logs in with the lab key only; passwords stay locked.
  cat >"$root/etc/ssh/sshd_config.d/clipper-lab.conf" <<'CONF'
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
CONF
  install -d -m 700 "$root/root/.ssh"

  # Logins other than root, as real hosts have them: `clipper` becomes root
  # through passwordless sudo, as the stack needs; `nosudo` cannot, for the
  # test of that error. Both log in with the lab key only (lab/hosts.sh).
  in_root useradd --create-home --shell /bin/bash clipper
  in_root useradd --create-home --shell /bin/bash nosudo
  printf 'clipper ALL=(ALL) NOPASSWD:ALL\n' >"$root/etc/sudoers.d/clipper"
  chmod 440 "$root/etc/sudoers.d/clipper"

  # Host keys made at build would be shared by every host; make them per
  # container on its first boot instead.
  rm -f "$root"/etc/ssh/ssh_host_*
  cat >"$root/etc/systemd/system/clipper-lab-ssh-hostkeys.service" <<'UNIT'
[Unit]
Description=Generate SSH host keys on first boot
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A
RemainAfterExit=yes

[Install]
WantedBy=ssh.service
UNIT

  # An empty machine-id makes systemd mint a fresh one per container (and
  # commit it), so hosts never share an identity.
  : >"$root/etc/machine-id"
  rm -f "$root/var/lib/dbus/machine-id"
  ln -s /etc/machine-id "$root/var/lib/dbus/machine-id"

  # Docker provides hostname, hosts and resolv.conf; don't ship the build
  # machine's.
  : >"$root/etc/hostname"
  : >"$root/etc/resolv.conf"
  # pam_env warns on every SSH login when this file is missing (no locales
  # package in a minbase system).
  : >"$root/etc/default/locale"

  in_root systemctl --root=/ enable clipper-lab-ssh-hostkeys.service ssh.service \
    containerd.service docker.service
  # Units that have no console, kernel or hardware to manage in a container
  # and would only fail or spin there.
  in_root systemctl --root=/ mask getty.target console-getty.service \
    serial-getty@.service getty@.service \
    systemd-udevd.service systemd-udev-trigger.service systemd-modules-load.service \
    sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
    sys-fs-fuse-connections.mount systemd-remount-fs.service \
    systemd-firstboot.service

  # Keep the image small: no docs, manuals, translations or apt indexes.
  rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/locale/* "$root"/var/lib/apt/lists/* \
    "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/log/*.log "$root"/var/log/apt/*
}

# What a real swarm node needs (systemd, sshd, Docker) plus the tools the
# product and its tests use on the hosts; nothing else. A release's file adds
# HOST_RELEASE_PACKAGES.
# shellcheck disable=SC2034  # read by images.sh
HOST_PACKAGES=(
  systemd systemd-sysv dbus
  openssh-server
  docker.io
  iproute2 iptables netbase ca-certificates
  procps busybox-static
  # swarm joins hand the token to the engine API on stdin, never in argv
  curl
  # mutual TLS: each host makes its engine's key
  openssl
  # the lab's unprivileged login user becomes root through sudo
  sudo
)
