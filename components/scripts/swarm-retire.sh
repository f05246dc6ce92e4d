# Removes from the swarm the node of a host that is gone for good, through this
# host, a live manager. Parameters: HOST GONE GONE_ADDR
read_swarm
[ "$manager" = true ] || fail "not a swarm manager, so it cannot remove $GONE's node"
remove_nodes_at "$GONE_ADDR" "the node of $GONE ($GONE_ADDR), which is gone"
[ -n "$removed" ] || say "no node of $GONE ($GONE_ADDR) is left in the swarm"
