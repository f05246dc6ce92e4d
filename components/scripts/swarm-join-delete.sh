# Takes this manager out of the swarm: demotes it, leaves, and removes its node
# entry through the first manager's endpoint. Parameters: HOST SWARM_ID LEADER
read_swarm
if [ "$state" != active ] || [ "${cluster:-$SWARM_ID}" != "$SWARM_ID" ]; then
  say "not in swarm $SWARM_ID; nothing to do"
  unmark_swarm
  exit 0
fi
node=$(docker info --format '{{.Swarm.NodeID}}')
if [ "$manager" = true ]; then
  docker node demote "$node" >/dev/null
  wait_for 30 sh -c '[ "$(docker info --format "{{.Swarm.ControlAvailable}}")" = false ]' ||
    fail "still a manager 30 s after demotion"
fi
docker swarm leave >/dev/null
drop_gwbridge
docker -H "$LEADER" node rm --force "$node" >/dev/null 2>&1 || say "node $node was already gone from the swarm's list"
unmark_swarm
say "demoted, left swarm $SWARM_ID and removed node $node"
