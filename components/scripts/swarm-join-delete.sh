# Takes this manager out of the swarm: demotes it, leaves, and removes its node
# entry through any live manager among PEERS. Parameters: HOST PEERS
read_swarm
marked=$(marked_swarm)
if [ "$state" != active ] || [ -z "$marked" ] || [ "${cluster:-$marked}" != "$marked" ]; then
  say "not in a swarm that clipper-swarm joined; nothing to do"
  unmark_swarm
  exit 0
fi
node=$(docker info --format '{{.Swarm.NodeID}}')
if [ "$manager" = true ]; then
  docker node demote "$node" >/dev/null
  wait_for 30 control_available false ||
    fail "still a manager 30 s after demotion"
fi
docker swarm leave >/dev/null
drop_gwbridge
removed=
for peer in $PEERS; do
  docker -H "$peer" node rm --force "$node" >/dev/null 2>&1 && { removed=yes; break; }
done
[ -n "$removed" ] || say "node $node was already gone from the swarm's list, or no peer could remove it"
unmark_swarm
say "demoted, left swarm $marked and removed node $node"
