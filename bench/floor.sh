#!/usr/bin/env bash
# The seed's procedure on fresh lab hosts, as a careful person scripts it, with
# --tls=false so that dockerd starts at once on plain TCP: the floor that the
# stack's own runs are measured against. Engines restart in parallel; hosts
# join one at a time. Prints the seconds it took.
#
# Adaptations to the lab's Debian hosts, each needed for the procedure to work:
# - a drop-in instead of editing the packaged unit, and Debian's dockerd path
#   and packaged flags (/usr/sbin/dockerd -H fd:// $DOCKER_OPTS) kept;
# - --advertise-addr on init and join: lab hosts have more than one address;
# - the join names the first host's address and port (the seed's #TODO).
#
# usage: bash bench/floor.sh HOST...   (lab host names, first one initialises)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: bash bench/floor.sh HOST..." >&2; exit 2; }
key=$root/.lab/id_ed25519
addr() { echo "10.231.0.$((10 + ${1#host}))"; }
on() { local h=$1; shift; ssh -i "$key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes "root@$(addr "$h")" "$@"; }

start=$(date +%s.%N)
pids=()
for h in "$@"; do
  on "$h" "mkdir -p /etc/systemd/system/docker.service.d &&
    printf '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// \$DOCKER_OPTS -H tcp://0.0.0.0:2375 --tls=false\n' >/etc/systemd/system/docker.service.d/override.conf &&
    systemctl daemon-reload && systemctl restart docker &&
    until docker -H tcp://127.0.0.1:2375 version >/dev/null 2>&1; do sleep 0.2; done" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
first=$1
shift
on "$first" "docker swarm init --advertise-addr $(addr "$first") >/dev/null"
on "$first" "docker network create -d overlay --attachable clipper_network >/dev/null"
# As the seed does it: the token on the join's command line.
token=$(on "$first" "docker swarm join-token -q manager")
for h in "$@"; do
  on "$h" "docker swarm join --token $token --advertise-addr $(addr "$h") $(addr "$first"):2377 >/dev/null"
done
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", e - s }'
