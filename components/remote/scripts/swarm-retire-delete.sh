#!/bin/sh
# Nothing to undo: the host stays out of the swarm. Parameters: HOST GONE
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
say "$GONE is out of the inventory; nothing to undo"
