#!/bin/sh
# Makes this host a member of the stack's swarm in its ROLE (manager or
# worker), or finds it already is one; repairs what an audit found. A host in
# another swarm that this tool made leaves it first; a host in the wrong role
# is promoted or demoted in place. A manager that is not in the swarm (new,
# rebuilt, or it left) joins through a live manager of it among PEERS and
# removes the entry it left behind. A worker calls no other engine: it
# records the swarm it is to join (SWARM), and a manager brings it in
# (swarm-admit). GENERATION is the run, then `swarm=` and what the program
# found: the stack's swarm ID; `new`, where this host may start it (no
# inventory host is in a swarm or records one); or nothing (join any swarm
# this tool made). Prints the swarm ID, and a manager's node ID.
# Parameters: HOST ROLE LABEL ADVERTISE LISTEN_ADDR GENERATION, and PEERS
# (managers' engine URLs) for a manager, SWARM for a worker
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
case "$GENERATION" in *" swarm="*) STACK_SWARM=${GENERATION##* swarm=} ;; *) STACK_SWARM= ;; esac
may_start=no
if [ "$STACK_SWARM" = new ]; then may_start=yes STACK_SWARM=; fi
read_swarm
if [ "$ROLE" = manager ] && { [ "$state" = pending ] || [ "$state" = error ]; }; then
  # A node that the swarm removed (its host was retired, then came back)
  # waits for managers that no longer know it: it leaves, to join again.
  peer=$(live_manager)
  if [ -n "$(marked_swarm)" ] && [ -n "$peer" ] && ! engine "$peer" node inspect "$node" >/dev/null 2>&1; then
    say "swarm state is $state and $peer no longer knows node $node; leaving to join again"
    docker_within "$SWARM_STEP_SECONDS" swarm leave --force >/dev/null
    read_swarm
  fi
fi
if [ "$state" = active ] && [ -n "$STACK_SWARM" ]; then
  in_swarm=$(own_swarm)
  marked=$(marked_swarm)
  if [ "$in_swarm" = "$STACK_SWARM" ] && [ "$marked" != "$in_swarm" ]; then
    # A join cut off before its record was written: the swarm is the stack's.
    say "in swarm $in_swarm, the stack's, which this host did not record; recording it"
    mark_swarm "$in_swarm"
  elif [ -n "$in_swarm" ] && [ "$in_swarm" != "$STACK_SWARM" ]; then
    [ "$in_swarm" = "$marked" ] ||
      fail "in swarm $in_swarm, which clipper-swarm did not make, not the stack's swarm $STACK_SWARM; leave it first with: docker swarm leave --force"
    say "in swarm $in_swarm, which clipper-swarm made, not the stack's swarm $STACK_SWARM (most of the inventory's managers are in it); leaving it to join"
    docker_within "$SWARM_STEP_SECONDS" swarm leave --force >/dev/null
    drop_gwbridge
    unmark_swarm
    read_swarm
  fi
fi
if [ "$ROLE" = worker ]; then
  case "$state" in
    inactive)
      # Recorded before a manager joins it: a run cut off after the join finds it this tool's.
      mark_swarm "$SWARM"
      say "not in a swarm; a manager joins it to swarm $SWARM"
      ;;
    active | pending | error)
      [ -n "$(marked_swarm)" ] ||
        fail "already in a swarm that clipper-swarm did not create or join; leave it first with: docker swarm leave --force"
      if [ "$manager" = true ]; then
        demote_self
        say "demoted to worker"
      fi
      in_swarm=$(own_swarm)
      [ "${in_swarm:-$SWARM}" = "$(marked_swarm)" ] ||
        fail "in swarm $in_swarm, not swarm $(marked_swarm) that clipper-swarm made; leave it first with: docker swarm leave --force"
      ;;
    *) fail "swarm state is '$state'; wait until it settles (docker info) and run again" ;;
  esac
  record_run swarm
  printf 'swarm-id=%s\n' "$SWARM"
  exit 0
fi
case "$state" in
  inactive)
    peer=$(live_manager)
    if [ -n "$peer" ]; then
      join_through "$peer"
    elif [ "$may_start" = yes ]; then
      say "initialising a swarm advertised on $LISTEN_ADDR"
      docker_within "$SWARM_STEP_SECONDS" swarm init --advertise-addr "$ADVERTISE" --listen-addr "$LISTEN_ADDR" >/dev/null
      read_swarm
    elif [ -n "$STACK_SWARM" ]; then
      fail "no live manager of the stack's swarm $STACK_SWARM answers: $(peer_answers_report)check that this host reaches them (ping, firewall, routes), then run again"
    else
      fail "no engine among $PEERS manages a swarm that clipper-swarm made, and this host may not start one, as another inventory host records one: $(peer_answers_report)is the first host up?"
    fi
    # Recorded before the script says anything more: a run whose SSH connection
    # dropped (its CLI was killed) goes on until its next message, which stops
    # it, and the next run must find this swarm recorded as its own.
    mark_swarm "$cluster"
    ;;
  active)
    [ -n "$(marked_swarm)" ] ||
      fail "already in a swarm that clipper-swarm did not create or join; leave it first with: docker swarm leave --force"
    if [ "$ROLE" = manager ] && [ "$manager" != true ]; then
      peer=$(live_manager)
      [ -n "$peer" ] || fail "a worker of the swarm, and no manager among $PEERS answers to promote it"
      # The new role takes effect once the node has its manager certificate,
      # which can take a while after a recent demotion: ask again until it has.
      tries=0
      until engine "$peer" node promote "$node" >/dev/null &&
        wait_for 15 control_available true; do
        tries=$((tries + 1))
        [ "$tries" -lt 4 ] || fail "still not a manager 60 s after promotion through $peer"
      done
      say "promoted to manager through $peer"
      read_swarm
    fi
    [ "$cluster" = "$(marked_swarm)" ] ||
      fail "in swarm $cluster, not swarm $(marked_swarm) that clipper-swarm made; leave it first with: docker swarm leave --force"
    say "a $ROLE of swarm $cluster"
    ;;
  *) fail "swarm state is '$state'; wait until it settles (docker info) and run again" ;;
esac
# Entries this host left behind: it left by hand or was rebuilt, or a run that
# joined it was cut off before it removed them.
remove_stale_nodes "${peer:-unix:///var/run/docker.sock}"
label_self "${peer:-}"
record_run swarm
printf 'swarm-id=%s\nnode-id=%s\n' "$cluster" "$node"
