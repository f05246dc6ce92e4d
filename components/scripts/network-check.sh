# Prints how the overlay network differs from what the stack makes, and nothing
# when it is as configured; then the run that last made it, from its label,
# and its ID, with which the stack adopts a network that a run of its own made
# but did not record (the run was killed while Docker's plugin made it).
# Asks this host's engine, or, when it manages no swarm (it left, or was
# rebuilt), the first live manager among PEERS, all asked at once.
# A network made with no label at all (by the versions before the label) has
# no label map, which the label's lookup skips: index fails on it.
# Changes nothing. Parameters: HOST NETWORK PEERS ENCRYPTED (yes or no)
manager=
manages() { [ "$(engine "$1" info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null)" = true ]; }
if manages unix:///var/run/docker.sock; then
  manager=unix:///var/run/docker.sock
elif [ -n "$PEERS" ]; then
  # All peers at once, the first in PEERS that manages winning: each asks a new
  # client, and one after the other they made this check, on the first
  # manager's path, the last of the host's.
  asked=$(mktemp -d)
  i=0
  for api in $PEERS; do
    { ! manages "$api" || : >"$asked/$i"; } &
    i=$((i + 1))
  done
  wait
  i=0
  for api in $PEERS; do
    if [ -e "$asked/$i" ]; then
      manager=$api
      break
    fi
    i=$((i + 1))
  done
  rm -rf "$asked"
fi
if [ -z "$manager" ]; then
  echo "network $NETWORK is missing: no swarm manager answers"
elif ! found=$(engine "$manager" network inspect "$NETWORK" --format '{{.Driver}} {{.Attachable}} {{.Scope}} encryption={{range $k, $v := .Options}}{{if eq $k "encrypted"}}on{{end}}{{end}} {{.Id}} {{with .Labels}}{{index . "clipper-swarm.generation"}}{{end}}' 2>/dev/null); then
  echo "network $NETWORK is missing"
else
  set -- $found
  is=unencrypted want=unencrypted
  [ "$4" != encryption=on ] || is=encrypted
  [ "$ENCRYPTED" != yes ] || want=encrypted
  if [ "$1 $2 $3" != "overlay true swarm" ]; then
    echo "network $NETWORK is $1 $2 $3, not an attachable overlay"
  elif [ "$is" != "$want" ]; then
    echo "network $NETWORK is $is, not $want"
  elif [ -n "${6:-}" ]; then
    echo "last-run: $6"
    echo "id: $5"
  fi
fi
