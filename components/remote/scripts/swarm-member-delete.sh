#!/bin/sh
# Takes this host out of the swarm when it leaves the inventory, so that the
# others keep their quorum. A worker has left already, through the manager
# that admitted it (swarm-admit-delete), which removed its node; it leaves by
# itself only where that manager could not make it. A manager demotes itself,
# leaves, and removes its node entry through a live manager among PEERS; the
# last manager dissolves the swarm. (Destroy skips this step: each host's
# endpoint leaves the swarm then.)
# Parameters: HOST ROLE LABEL, and PEERS for a manager
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
read_swarm
marked=$(marked_swarm)
if [ "$state" != active ] || [ -z "$marked" ] || [ "${cluster:-$marked}" != "$marked" ]; then
  if [ -n "$marked" ] && [ "$state" = inactive ]; then
    drop_gwbridge
    say "out of swarm $marked"
  else
    say "not in a swarm that clipper-swarm joined; nothing to do"
  fi
  unmark_swarm
  exit 0
fi
if [ "$ROLE" = worker ]; then
  leave_marked_swarm
  exit 0
fi
peer=$(live_manager)
if [ -z "$peer" ]; then
  say "no other manager answers: the last one"
  leave_marked_swarm
  exit 0
fi
if [ "$manager" = true ]; then demote_self; fi
docker_within "$SWARM_STEP_SECONDS" swarm leave >/dev/null
drop_gwbridge
engine "$peer" node rm --force "$node" >/dev/null 2>&1 ||
  say "node $node was already gone from the swarm's list"
unmark_swarm
say "demoted, left swarm $marked and removed node $node through $peer"
