# shellcheck shell=bash disable=SC2034  # sourced and read by images.sh
# Debian 13 hosts: trixie, Docker 26.1 (the CLI is a package of its own).
# systemd 257 boots on the machine's cgroup v1 hierarchies as they are, with a
# plain /sbin/init: in a container it follows the hierarchy it is given, and
# SYSTEMD_CGROUP_ENABLE_LEGACY_FORCE=1 only gates a machine's own boot.
HOST_SUITE=trixie
HOST_RELEASE_PACKAGES=(docker-cli)
