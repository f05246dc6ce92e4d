#!/bin/sh
# Removes network NETWORK, once a network of another name has taken its place,
# if this stack (STACK) made it. (Destroy skips this step: the network goes
# with the swarm.)
# Parameters: HOST NETWORK ENCRYPTED STACK GENERATION
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
inspect_network unix:///var/run/docker.sock
if [ -z "$net_id" ] || [ "$net_stack" != "$STACK" ]; then
  say "no network $NETWORK that clipper-swarm made; nothing to remove"
  exit 0
fi
docker network rm "$NETWORK" >/dev/null ||
  fail "could not remove network $NETWORK; are containers still attached to it? (docker network inspect $NETWORK)"
say "removed network $NETWORK"
