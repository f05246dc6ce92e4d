#!/usr/bin/env bash
# What a no-op `pulumi preview` of the dev stack costs, as a ratio to the
# floor measured in the same run (bench/floor.sh on fresh hosts). The target
# is at most 0.5. Uses the dev stack's lab hosts, host1..host3: it destroys
# the dev stack first and leaves it converged.
#
# usage: bash bench/preview-cost.sh [RUNS]   (default 5 previews and 3 floors; medians count)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
runs=${1:-5}
pulumi=.tools/bin/pulumi
hosts=(host1 host2 host3)
say() { printf 'bench: %s\n' "$*" >&2; }
# Seconds that a command takes; a failure stops the bench, as its time would mean nothing.
seconds() {
  local s
  s=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || { say "failed: $*"; return 1; }
  awk -v s="$s" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f\n", e - s }'
}
fresh_hosts() { for h in "${hosts[@]}"; do bash lab/lab.sh reset "$h" 2>/dev/null; done; }
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

say "destroying the dev stack"
"$pulumi" destroy --yes --skip-preview --stack dev >/dev/null
floors=()
for ((i = 1; i <= 3; i++)); do
  say "floor $i/3: resetting ${hosts[*]}, then the seed's procedure with --tls=false"
  fresh_hosts
  floors+=("$(bash bench/floor.sh "${hosts[@]}")")
  say "floor $i/3: ${floors[-1]} s"
done
floor=$(median "${floors[@]}")
say "fresh hosts again, then pulumi up"
fresh_hosts
"$pulumi" up --yes --skip-preview --stack dev >/dev/null
times=()
for ((i = 1; i <= runs; i++)); do
  t=$(seconds "$pulumi" preview --stack dev --expect-no-changes)
  times+=("$t")
  say "no-op preview $i/$runs: ${times[-1]} s"
done
awk -v f="$floor" -v p="$(median "${times[@]}")" -v all="${times[*]}" -v floors="${floors[*]}" 'BEGIN {
  printf "floor (seed, --tls=false, 3 hosts)  %6.2f s   (%s)\n", f, floors
  printf "no-op preview, median              %6.2f s   (%s)\n", p, all
  printf "preview / floor                    %6.2f     (target: at most 0.50)\n", p / f
}'
