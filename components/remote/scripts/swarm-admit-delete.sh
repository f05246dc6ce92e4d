#!/bin/sh
# Takes worker HOST out of the swarm when it leaves the inventory, from
# ADMITTER, a manager: its engine leaves through its API, and its node goes
# from the swarm's list. A host whose node is a manager now (it became one)
# is left alone: a manager leaves through its own step (swarm-member-delete).
# Parameters: HOST TARGET ADVERTISE ADMITTER
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
read_swarm
if [ "$manager" != true ]; then
  say "$ADMITTER manages no swarm; $HOST leaves through its own step"
  exit 0
fi
ids=$(nodes_at unix:///var/run/docker.sock "$ADVERTISE")
for id in $ids; do
  if [ -n "$(docker node inspect "$id" --format '{{if .ManagerStatus}}manager{{end}}')" ]; then
    say "a manager of the swarm; it leaves through its own step"
    exit 0
  fi
done
if [ "$(engine "$TARGET" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" = active ]; then
  engine "$TARGET" swarm leave >/dev/null || say "could not make it leave through $TARGET; it leaves through its own step"
fi
for id in $ids; do
  docker node rm --force "$id" >/dev/null && say "left the swarm; removed node $id through $ADMITTER"
done
