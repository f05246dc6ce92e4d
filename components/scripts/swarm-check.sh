# Prints how this host's place in the swarm differs from what swarm-member
# makes, one line per difference, and nothing when it is as configured; then
# the run that last made it. Changes nothing. Parameters: HOST ROLE
report_run swarm
if ! settled_swarm_state; then
  echo "docker does not answer on its socket"
  exit 0
fi
marked=$(marked_swarm)
case "$state" in
  inactive) echo "not in the swarm${marked:+ $marked}" ;;
  active)
    if [ "$ROLE" = manager ] && [ "$manager" != true ]; then echo "a worker, not a manager"
    elif [ "$ROLE" = worker ] && [ "$manager" = true ]; then echo "a manager, not a worker"
    # Only managers know the swarm's ID; a worker's record says it joined one this tool made.
    elif [ "$manager" = true ] && [ -z "$cluster" ]; then echo "a manager that cannot name its swarm: has it a leader?"
    elif [ "$manager" = true ] && [ "$cluster" != "$marked" ]; then echo "in swarm $cluster, not ${marked:-a swarm clipper-swarm made}"
    elif [ -z "$marked" ]; then echo "in a swarm clipper-swarm did not make"
    fi
    ;;
  *) echo "swarm state is $state" ;;
esac
