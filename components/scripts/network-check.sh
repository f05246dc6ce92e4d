# Prints how the overlay network differs from what the stack makes, and nothing
# when it is as configured; then the run that last made it, from its label.
# Asks this host's engine, or, when it manages no swarm (it left, or was
# rebuilt), the first live manager among PEERS.
# Changes nothing. Parameters: HOST NETWORK PEERS
manager=
for engine in unix:///var/run/docker.sock $PEERS; do
  if [ "$(docker -H "$engine" info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null)" = true ]; then
    manager=$engine
    break
  fi
done
if [ -z "$manager" ]; then
  echo "network $NETWORK is missing: no swarm manager answers"
elif ! found=$(docker -H "$manager" network inspect "$NETWORK" --format '{{.Driver}} {{.Attachable}} {{.Scope}} {{index .Labels "clipper-swarm.generation"}}' 2>/dev/null); then
  echo "network $NETWORK is missing"
else
  set -- $found
  if [ "$1 $2 $3" != "overlay true swarm" ]; then
    echo "network $NETWORK is $1 $2 $3, not an attachable overlay"
  elif [ -n "${4:-}" ] && [ "$4" != "<no value>" ]; then
    echo "last-run: $4"
  fi
fi
