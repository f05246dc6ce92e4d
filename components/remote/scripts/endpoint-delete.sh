#!/bin/sh
# Takes the host back to how it was before this tool came: out of the swarm
# this tool made, its drop-in and socket unit gone, and dockerd on its packaged
# sockets only. Destroy leaves the swarm here, on every host at once, because
# it skips the members' own steps (they go with the whole swarm); a host
# removed alone has left it already.
# The host leaves before its engine restarts: managers that restart together
# while still in the swarm each wait for a quorum that is restarting too.
# Parameters: HOST DROPIN TCP_SOCKET
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
if [ -n "$(marked_swarm)" ] && ! systemctl is-active --quiet docker; then
  say "docker is not running; starting it to leave the swarm"
  docker_service start
fi
leave_marked_swarm
if [ -e "$DROPIN" ] || [ -e "$TCP_SOCKET" ]; then
  rm -f "$DROPIN" "$TCP_SOCKET"
  rmdir "${DROPIN%/*}" 2>/dev/null || true
  systemctl daemon-reload
  close_tcp_socket
  docker_service restart
  wait_for 60 docker version || fail "docker does not answer on its socket after 60 s; see journalctl -u docker"
  say "removed $DROPIN; docker listens on its socket only"
else
  say "no drop-in $DROPIN; nothing to remove"
fi
forget_run endpoint
