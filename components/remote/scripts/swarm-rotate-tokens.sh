#!/bin/sh
# Rotates the swarm's join tokens, worker and manager: a token handed out
# before is refused from now on. Nodes keep their certificates, so no member
# changes. The new tokens are never printed. Parameters: HOST ROTATION
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
read_swarm
[ "$manager" = true ] || fail "not a swarm manager, so it cannot rotate the join tokens"
say "a manager of swarm $cluster; rotating its join tokens ($ROTATION)"
for role in worker manager; do
  docker_within "$SWARM_STEP_SECONDS" swarm join-token --rotate -q "$role" >/dev/null
done
say "rotated the worker and manager join tokens"
