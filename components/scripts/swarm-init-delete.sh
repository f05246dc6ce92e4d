# Dissolves the swarm on its first manager, if this tool created it.
# Parameters: HOST
read_swarm
if [ "$state" != active ]; then
  say "not in a swarm; nothing to do"
elif [ "$cluster" != "$(marked_swarm)" ]; then
  say "in swarm ${cluster:-?}, which clipper-swarm did not create; left alone"
  exit 0
else
  docker swarm leave --force >/dev/null
  drop_gwbridge
  say "left swarm $cluster"
fi
unmark_swarm
