#!/usr/bin/env bash
# The seed's procedure over SSH on fresh lab hosts, timed, in one of two ways:
#   seed   as the seed reads: each host's packaged unit gets `-H tcp://0.0.0.0:2375`
#          and its engine restarts, one host after the other; then init, the
#          network, and each join in turn.
#   floor  the same as a careful person scripts it, with --tls=false, so that
#          dockerd starts at once on plain TCP: the engines restart in parallel,
#          and hosts join one at a time (raft adds managers one by one).
# Prints the seconds it took.
#
# Adaptations to the lab's Debian hosts, each needed for the procedure to work:
# - Debian's dockerd is /usr/sbin/dockerd, and its packaged unit starts it with
#   `-H fd:// $DOCKER_OPTS`: the TCP listener is appended to that line, which
#   keeps the packaged flags, instead of replacing it with the seed's;
# - --advertise-addr on init and join: lab hosts have more than one address;
# - the join names the first host's address and port (the seed's #TODO);
# - the hosts are reached as the dev stack's user, clipper, through sudo, as
#   the seed's own `sudo systemctl` has it.
#
# usage: bash bench/procedure.sh seed|floor HOST...   (lab host names; the first initialises)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mode=${1:-}
if [[ $mode != seed && $mode != floor ]] || [ $# -lt 2 ]; then
  echo "usage: bash bench/procedure.sh seed|floor HOST..." >&2
  exit 2
fi
shift
key=$root/.lab/id_ed25519
addr() { echo "10.231.0.$((10 + ${1#host}))"; }
on() {
  local h=$1
  shift
  ssh -i "$key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes "clipper@$(addr "$h")" "$@"
}
listen="-H tcp://0.0.0.0:2375"
[[ $mode == floor ]] && listen+=" --tls=false"
expose() {
  on "$1" "sudo sed -i 's|^ExecStart=/usr/sbin/dockerd .*|& $listen|' /lib/systemd/system/docker.service &&
    sudo systemctl daemon-reload && sudo systemctl restart docker"
}

start=$(date +%s.%N)
if [[ $mode == seed ]]; then
  for h in "$@"; do expose "$h"; done
else
  pids=()
  for h in "$@"; do
    expose "$h" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
fi
first=$1
shift
on "$first" "sudo docker swarm init --advertise-addr $(addr "$first") >/dev/null"
on "$first" "sudo docker network create -d overlay --attachable clipper_network >/dev/null"
# As the seed does it: the token copied onto the join's command line.
token=$(on "$first" "sudo docker swarm join-token -q manager")
for h in "$@"; do
  on "$h" "sudo docker swarm join --token $token --advertise-addr $(addr "$h") $(addr "$first"):2377 >/dev/null"
done
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", e - s }'
