#!/bin/sh
# Runs on ADMITTER, a manager of the stack's swarm, for worker HOST, whose
# engine is TARGET: a worker calls no other engine, so a manager brings it in.
# A worker that is not in the swarm (new, rebuilt, or its node was removed) is
# joined through its engine's API, with a token that never leaves this
# manager; a worker that was a manager is seen Ready in its new role. The entry
# it left behind goes, and its node is labelled with its name. (A manager
# joins through its peers on its own: swarm-member.) Prints the swarm and node IDs.
# Parameters: HOST LABEL TARGET ADVERTISE LISTEN_ADDR ADMITTER GENERATION
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
# Right after a manager has left, its peers' docker info waits on raft for a
# while: this manager's own state is asked again, within a swarm step's bound.
manages_swarm() { swarm_state && [ "$manager" = true ] && [ -n "$cluster" ]; }
wait_for "$SWARM_STEP_SECONDS" manages_swarm ||
  fail "$ADMITTER is not a manager of a swarm with a leader, so it cannot admit $HOST"
# The target's state, node and manager role, as its engine tells them.
target_state() {
  found=$(engine_swarm "$TARGET" "$DOCKER_SECONDS") || fail "its engine does not answer $ADMITTER on $TARGET"
  # shellcheck disable=SC2086  # the fields, as words
  set -- $found
  t_state=${1:-} t_manager=${2:-false} t_node=${3:-}
}
known() { [ -n "$t_node" ] && node_record unix:///var/run/docker.sock "$t_node" >/dev/null; }
target_state
if [ "$t_state" = pending ] || [ "$t_state" = error ] || { [ "$t_state" = active ] && ! known; }; then
  # Its host recorded this swarm (swarm-member refuses any other), and the
  # swarm no longer knows its node: it was removed while the host was away.
  say "swarm state is $t_state and $ADMITTER does not know node $t_node; it leaves to join again"
  engine "$TARGET" swarm leave --force >/dev/null
  target_state
fi
if [ "$t_state" = inactive ]; then
  command -v curl >/dev/null || fail "curl is required on $ADMITTER to join without putting the token on a command line"
  remotes=$(join_remotes unix:///var/run/docker.sock)
  say "joining the swarm as a worker through $ADMITTER"
  join_token unix:///var/run/docker.sock worker | join_body "$remotes" | post_join "$TARGET"
  target_state
  known || fail "joined, but $ADMITTER does not list node $t_node"
fi
[ "$t_manager" != true ] || fail "still a manager; its own step demotes it: run pulumi up again"
# A demoted manager shows Unknown to the others until it reconnects as a worker.
wait_for 30 node_ready unix:///var/run/docker.sock "$t_node" ||
  fail "not Ready as a worker after 30 s (docker node ls on $ADMITTER)"
node=$t_node
remove_stale_nodes unix:///var/run/docker.sock
label_self unix:///var/run/docker.sock
say "a worker of swarm $cluster, admitted through $ADMITTER"
printf 'swarm-id=%s\nnode-id=%s\n' "$cluster" "$node"
