#!/usr/bin/env bash
# How long a cold `pulumi up` and its `destroy` take, from freshly reset lab
# hosts, per cluster size, on one Debian release. A size N uses the top N lab
# hosts (host(11-N)..host10), so N=9 takes host2 and host3 from the dev stack:
# the bench destroys the dev stack first. N:W makes the last W hosts workers.
#
# usage: bash bench/cold-up.sh RELEASE SIZE...   e.g. bash bench/cold-up.sh 13 3 5 7 9:2
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
release=${1:?usage: bash bench/cold-up.sh RELEASE SIZE...}
shift
pulumi=.tools/bin/pulumi
say() { printf 'bench: %s\n' "$*" >&2; }
work=$(mktemp -d)
export PULUMI_BACKEND_URL=file://$work/state PULUMI_CONFIG_PASSPHRASE=bench
mkdir -p "$work/state"
trap 'rm -rf "$work" Pulumi.bench.yaml' EXIT
# Seconds that a command takes; a failure stops the bench, as its time would mean nothing.
seconds() {
  local s
  s=$(date +%s.%N)
  "$@" >"$work/last.log" 2>&1 || { say "failed: $*"; tail -n 20 "$work/last.log" >&2; return 1; }
  awk -v s="$s" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", e - s }'
}

say "destroying the dev stack (its hosts may be needed)"
env -u PULUMI_BACKEND_URL -u PULUMI_CONFIG_PASSPHRASE "$pulumi" destroy --yes --skip-preview --stack dev >/dev/null
"$pulumi" stack init bench >/dev/null
for size in "$@"; do
  n=${size%%:*} workers=0
  [[ $size == *:* ]] && workers=${size#*:}
  hosts=()
  for ((i = 11 - n; i <= 10; i++)); do hosts+=("host$i"); done
  say "$n Debian $release hosts (${hosts[0]}..host10, $workers workers): fresh systems"
  bash lab/lab.sh up 10 --debian "$(IFS=,; echo "${hosts[*]/%/=$release}")" >/dev/null
  for h in "${hosts[@]}"; do bash lab/lab.sh reset "$h" >/dev/null 2>&1; done
  {
    printf 'defaults:\n  user: root\n  privateKey:\n    path: %s/.lab/id_ed25519\nhosts:\n' "$root"
    for ((i = 0; i < n; i++)); do
      role=manager
      ((i < n - workers)) || role=worker
      printf '  - name: %s\n    address: 10.231.0.%s\n    role: %s\n' "${hosts[i]}" "$((10 + ${hosts[i]#host}))" "$role"
    done
  } >"$work/inventory-$n.yaml"
  "$pulumi" config set --stack bench clipper-swarm:inventory "$work/inventory-$n.yaml"
  "$pulumi" config set --stack bench clipper-swarm:testImage clipper-lab/probe:latest
  up=$(seconds "$pulumi" up --yes --skip-preview --stack bench)
  say "cold up: $up s"
  down=$(seconds "$pulumi" destroy --yes --skip-preview --stack bench)
  say "destroy: $down s"
  printf 'Debian %s  %2d hosts (%d managers, %d workers)  cold up %6.1f s  destroy %6.1f s\n' \
    "$release" "$n" "$((n - workers))" "$workers" "$up" "$down"
done
