#!/bin/sh
# Prints how this host's place in the swarm differs from what swarm-member
# makes, one line per difference, and nothing when it is as configured; then
# the run that last made it, the swarm the host is in (`swarm-id: ID`) and the
# one this tool recorded there (`marked: ID`), from which the program tells
# which swarm is the stack's. Changes nothing. Parameters: HOST ROLE
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
report_run swarm
if ! settled_swarm_state; then
  echo "docker does not answer on its socket"
  exit 0
fi
marked=$(marked_swarm)
[ -z "$marked" ] || echo "marked: $marked"
case "$state" in
  inactive) echo "not in the swarm${marked:+ $marked}" ;;
  active)
    in_swarm=$(own_swarm)
    [ -z "$in_swarm" ] || echo "swarm-id: $in_swarm"
    if [ "$ROLE" = manager ] && [ "$manager" != true ]; then echo "a worker, not a manager"
    elif [ "$ROLE" = worker ] && [ "$manager" = true ]; then echo "a manager, not a worker"
    elif [ "$manager" = true ] && [ -z "$cluster" ]; then echo "a manager that cannot name its swarm: has it a leader?"
    elif [ -z "$marked" ]; then echo "in a swarm clipper-swarm did not make"
    elif [ -n "$in_swarm" ] && [ "$in_swarm" != "$marked" ]; then echo "in swarm $in_swarm, not $marked that clipper-swarm made"
    fi
    ;;
  *) echo "swarm state is $state" ;;
esac
