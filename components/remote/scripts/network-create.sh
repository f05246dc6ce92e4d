#!/bin/sh
# Makes the attachable overlay network NETWORK on this manager, labelled with
# this stack (STACK) and the run (GENERATION), or finds it as configured. This
# stack's network of that name that is not (another driver or scope, not
# attachable, encrypted or not as asked) is removed and made again; another's
# is left alone, and stops the step. Prints its ID.
# Parameters: HOST NETWORK ENCRYPTED (yes or no) STACK GENERATION
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
inspect_network unix:///var/run/docker.sock
refuse_foreign_network
if [ -z "$net_found" ]; then
  say "network $NETWORK is in place"
  printf 'network-id=%s\n' "$net_id"
  exit 0
fi
# One that is there (it has an ID) but not as configured goes first.
if [ -n "$net_id" ]; then
  say "$net_found; making it again"
  docker network rm "$NETWORK" >/dev/null ||
    fail "could not remove network $NETWORK to make it again; are containers still attached to it? (docker network inspect $NETWORK)"
fi
set -- --driver overlay --attachable --label "clipper-swarm.stack=$STACK" --label "clipper-swarm.run=$GENERATION"
[ "$ENCRYPTED" != yes ] || set -- "$@" --opt encrypted
id=$(docker network create "$@" "$NETWORK") || fail "could not make network $NETWORK (docker network create $*)"
say "made network $NETWORK"
printf 'network-id=%s\n' "$id"
