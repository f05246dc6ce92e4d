# Takes this host out of the swarm when it leaves the inventory: demotes it,
# leaves, and removes its node entry through a live manager among PEERS, so
# that the others keep their quorum. The last manager dissolves the swarm.
# (Destroy skips this step: each host's endpoint leaves the swarm then.)
# Parameters: HOST PEERS
read_swarm
marked=$(marked_swarm)
if [ "$state" != active ] || [ -z "$marked" ] || [ "${cluster:-$marked}" != "$marked" ]; then
  say "not in a swarm that clipper-swarm joined; nothing to do"
  unmark_swarm
  exit 0
fi
peer=$(live_manager)
if [ -z "$peer" ]; then
  say "no other manager answers: the last one"
  leave_marked_swarm
  exit 0
fi
if [ "$manager" = true ]; then
  docker_within "$SWARM_STEP_SECONDS" node demote "$node" >/dev/null ||
    fail "could not demote node $node, which the swarm needs for its quorum; bring its other managers back first"
  wait_for 30 control_available false ||
    fail "still a manager 30 s after demotion"
fi
docker_within "$SWARM_STEP_SECONDS" swarm leave >/dev/null
drop_gwbridge
engine "$peer" node rm --force "$node" >/dev/null 2>&1 ||
  say "node $node was already gone from the swarm's list"
unmark_swarm
say "demoted, left swarm $marked and removed node $node through $peer"
