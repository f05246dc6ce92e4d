# Prints how this host's place in the swarm differs from what swarm-member
# makes, one line per difference, and nothing when it is as configured; then
# the run that last made it. Changes nothing. Parameters: HOST
report_run swarm
if ! swarm_state; then
  echo "docker does not answer on its socket"
  exit 0
fi
marked=$(marked_swarm)
case "$state" in
  inactive) echo "not in the swarm${marked:+ $marked}" ;;
  active)
    if [ "$manager" != true ]; then echo "a worker, not a manager"
    elif [ "$cluster" != "$marked" ]; then echo "in swarm ${cluster:-?}, not ${marked:-a swarm clipper-swarm made}"
    fi
    ;;
  *) echo "swarm state is $state" ;;
esac
