# Prints how this host's place in the swarm differs from what swarm-member
# makes, one line per difference, and nothing when it is as configured.
# Changes nothing. Parameters: HOST
if ! found=$(docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{if .Swarm.Cluster}}{{.Swarm.Cluster.ID}}{{end}}' 2>/dev/null); then
  echo "docker does not answer on its socket"
  exit 0
fi
set -- $found
marked=$(marked_swarm)
case "$1" in
  inactive) echo "not in the swarm${marked:+ $marked}" ;;
  active)
    if [ "$2" != true ]; then echo "a worker, not a manager"
    elif [ "${3:-}" != "$marked" ]; then echo "in swarm ${3:-?}, not ${marked:-a swarm clipper-swarm made}"
    fi
    ;;
  *) echo "swarm state is $1" ;;
esac
