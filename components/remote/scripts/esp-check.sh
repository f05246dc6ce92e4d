#!/bin/sh
# Prints why this host's kernel cannot encrypt overlay traffic, and nothing
# when it can or its configuration cannot be read. Docker's encrypted overlay
# needs IPsec ESP (CONFIG_INET_ESP); without it every packet is dropped.
# Changes nothing. Parameters: HOST
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
kernel_config() {
  if [ -r /proc/config.gz ]; then gzip -dc /proc/config.gz
  elif [ -r "/boot/config-$(uname -r)" ]; then cat "/boot/config-$(uname -r)"
  fi
}
found=$(kernel_config | grep -E '^(# )?CONFIG_INET_ESP[ =]' || true)
case "$found" in
  "" | CONFIG_INET_ESP=y | CONFIG_INET_ESP=m) ;;
  *) echo "kernel $(uname -r) has no IPsec ESP (CONFIG_INET_ESP is not set)" ;;
esac
