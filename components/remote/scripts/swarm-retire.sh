#!/bin/sh
# Removes from the swarm the node of a host that is gone for good, through this
# host, a live manager: demoted first when it was a manager, as a dead manager
# still counts in the raft quorum. Parameters: HOST GONE GONE_ADDR
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
read_swarm
[ "$manager" = true ] || fail "not a swarm manager, so it cannot remove $GONE's node"
removed=
for id in $(nodes_at unix:///var/run/docker.sock "$GONE_ADDR"); do
  if in_raft unix:///var/run/docker.sock "$id"; then
    wait_for 30 docker node demote "$id" || fail "could not demote node $id of $GONE"
  fi
  docker node rm --force "$id" >/dev/null
  say "removed node $id of $GONE ($GONE_ADDR), which is gone"
  removed=yes
done
[ -n "$removed" ] || say "no node of $GONE ($GONE_ADDR) is left in the swarm"
