#!/bin/sh
# Removes this host's engine key and the certificates beside it, once the
# engine no longer listens with them. Parameters: HOST ENGINE_TLS
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
if [ -d "$ENGINE_TLS" ]; then
  rm -rf "$ENGINE_TLS"
  say "removed $ENGINE_TLS"
else
  say "no $ENGINE_TLS; nothing to remove"
fi
forget_run tls-key
