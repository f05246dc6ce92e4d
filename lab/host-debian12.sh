# shellcheck shell=bash disable=SC2034  # sourced and read by images.sh
# Debian 12 hosts: bookworm, Docker 20.10 (docker.io carries the CLI).
HOST_SUITE=bookworm
HOST_RELEASE_PACKAGES=()
