# Makes this host the first manager of a new swarm, or finds it already is.
# Prints the swarm and node IDs. Parameters: HOST ADVERTISE
read_swarm
case "$state" in
  inactive)
    say "initialising a swarm advertised on $ADVERTISE:2377"
    docker swarm init --advertise-addr "$ADVERTISE" --listen-addr "$ADVERTISE:2377" >/dev/null
    cluster=$(docker info --format '{{.Swarm.Cluster.ID}}')
    mark_swarm "$cluster"
    ;;
  active)
    [ "$manager" = true ] && [ "$cluster" = "$(marked_swarm)" ] ||
      fail "already in a swarm that clipper-swarm did not create (node state: active, manager: $manager); leave it first with: docker swarm leave --force"
    say "already the first manager of swarm $cluster; nothing to do"
    ;;
  *) fail "swarm state is '$state'; wait until it settles (docker info) and run again" ;;
esac
printf 'swarm-id=%s\nnode-id=%s\n' "$cluster" "$(docker info --format '{{.Swarm.NodeID}}')"
