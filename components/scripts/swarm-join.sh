# Joins this host to the swarm as a manager, or finds it already is one.
# The request body, with the join token, comes on standard input and goes to the
# engine's API unchanged, so the token never appears in a process's arguments.
# Parameters: HOST SWARM_ID
read_swarm
case "$state" in
  inactive)
    command -v curl >/dev/null || fail "curl is required to join without putting the token on a command line"
    say "joining swarm $SWARM_ID as a manager"
    reply=$(curl -sS --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' \
      --data-binary @- -w '\n%{http_code}' http://localhost/swarm/join) || fail "cannot reach the engine's API"
    code=$(printf '%s\n' "$reply" | tail -n 1)
    [ "$code" = 200 ] || fail "join refused ($code): $(printf '%s\n' "$reply" | sed '$d')"
    mark_swarm "$SWARM_ID"
    ;;
  active)
    [ "$cluster" = "$SWARM_ID" ] ||
      fail "already in another swarm (${cluster:-as a worker}); leave it first with: docker swarm leave --force"
    [ "$manager" = true ] ||
      fail "a worker of this swarm; promote it from a manager with: docker node promote $(hostname)"
    mark_swarm "$SWARM_ID"
    say "already a manager of swarm $SWARM_ID; nothing to do"
    ;;
  *) fail "swarm state is '$state'; wait until it settles (docker info) and run again" ;;
esac
printf 'node-id=%s\n' "$(docker info --format '{{.Swarm.NodeID}}')"
