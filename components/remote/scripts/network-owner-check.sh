#!/bin/sh
# Prints `foreign: NAME DRIVER SCOPE` for each network named NETWORK on this
# host's engine that stack STACK did not make (it has no clipper-swarm.stack
# label of STACK), and nothing otherwise: a local bridge of that name on any
# host would make `docker run --net NETWORK` ambiguous there, and no step
# removes a network this stack did not make. Changes nothing.
# Parameters: HOST NETWORK STACK
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
# Where no network's name holds NETWORK, as on most hosts, one answer of the
# engine's API tells it, for a fraction of a docker call's CPU.
listed=$(engine_get unix:///var/run/docker.sock "/networks?filters=%7B%22name%22%3A%7B%22$NETWORK%22%3Atrue%7D%7D" "$DOCKER_SECONDS" 2>/dev/null) || listed=
[ "$listed" != "[]" ] || exit 0
docker network ls --format '{{.ID}} {{.Name}}' | while read -r id name; do
  [ "$name" = "$NETWORK" ] || continue
  owner=$(docker network inspect "$id" --format '{{.Driver}} {{.Scope}} {{with .Labels}}{{with index . "clipper-swarm.stack"}}{{.}}{{end}}{{end}}')
  # shellcheck disable=SC2086  # the fields, as words
  set -- $owner
  [ "${3:-}" = "$STACK" ] || echo "foreign: $1 $2"
done
