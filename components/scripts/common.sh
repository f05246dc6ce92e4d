# Shared by every remote script: messages name the host, data goes to stdout.
set -eu
say() { printf '%s: %s\n' "$HOST" "$*" >&2; }
fail() { printf '%s: error: %s\n' "$HOST" "$*" >&2; exit 1; }
# Waits, at most $1 seconds, until the command in the remaining arguments succeeds.
wait_for() {
  limit=$1; shift
  i=0
  until "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -lt "$limit" ] || return 1
    sleep 1
  done
}
# Sets state (inactive, active, pending, ...), manager (true/false) and cluster
# (the swarm's ID, known to managers only).
read_swarm() {
  found=$(docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{if .Swarm.Cluster}}{{.Swarm.Cluster.ID}}{{end}}') ||
    fail "docker does not answer on its socket; see journalctl -u docker"
  set -- $found
  state=$1 manager=${2:-false} cluster=${3:-}
}
# The swarm this tool created or joined on this host, recorded so that destroy
# leaves alone a swarm it did not make and create refuses to adopt one.
MARKER=/var/lib/clipper-swarm/swarm-id
marked_swarm() { cat "$MARKER" 2>/dev/null || true; }
mark_swarm() { mkdir -p "${MARKER%/*}" && printf '%s\n' "$1" >"$MARKER"; }
# Forgets the swarm, and the folder too when nothing else is in it: a host is
# left as it was before this tool came.
unmark_swarm() { rm -f "$MARKER" && { rmdir "${MARKER%/*}" 2>/dev/null || true; }; }
# Leaving a swarm keeps the bridge that swarm made for its containers' outside
# traffic; remove it so the host is as it was before (it stays while in use).
drop_gwbridge() {
  if docker network inspect docker_gwbridge >/dev/null 2>&1; then
    docker network rm docker_gwbridge >/dev/null 2>&1 || say "docker_gwbridge is still in use; left in place"
  fi
}
