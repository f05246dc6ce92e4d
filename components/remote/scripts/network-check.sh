#!/bin/sh
# Prints how the overlay network differs from what the stack makes, and nothing
# when it is as configured; then the run that last made it, from its label.
# (A network of that name that this stack did not make stops the run before
# any step: network-owner-check.sh.)
# Asks this host's engine, or, when it manages no swarm (it left, or was
# rebuilt), the first live manager among PEERS (first_peer).
# Changes nothing. Parameters: HOST NETWORK PEERS ENCRYPTED (yes or no)
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
manages() {
  # shellcheck disable=SC2046  # the fields, as words: STATE MANAGER NODE CLUSTER
  set -- $(engine_swarm "$1" "$DOCKER_SECONDS" 2>/dev/null)
  [ "${2:-}" = true ]
}
has_network() { engine "$1" network inspect "$NETWORK" >/dev/null 2>&1; }
if manages unix:///var/run/docker.sock; then
  manager=unix:///var/run/docker.sock
else
  manager=$(first_peer manages)
fi
if [ -z "$manager" ]; then
  echo "network $NETWORK is missing: no swarm manager answers"
else
  inspect_network "$manager"
  # Missing here, the network may still be in the stack's swarm: this host may
  # manage another one, which its membership step leaves. A live manager that
  # has it answers for it then.
  if [ -z "$net_id" ]; then
    other=$(first_peer has_network)
    [ -z "$other" ] || inspect_network "$other"
  fi
  if [ -n "$net_found" ]; then
    echo "$net_found"
  elif [ -n "$net_run" ]; then
    echo "last-run: $net_run"
  fi
fi
