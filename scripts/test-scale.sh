#!/usr/bin/env bash
# `npm run test:scale`: the membership, drift and whole-stack suites on seven
# test hosts (host4..host10) at once, on Debian 12, then on Debian 13; then one
# stack of twenty-five (host4..host28). The dev stack's hosts (host1..host3)
# are left as they are.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export CLIPPER_TEST_INVENTORY=test/fixtures/lab-hosts-scale.yaml
failed=()
for release in 12 13; do
  echo "test:scale: seven Debian $release hosts"
  bash scripts/prepare.sh 10 --debian "$(printf "host%s=$release," 4 5 6 7 8 9 10 | sed 's/,$//')"
  CLIPPER_TEST_DEBIAN=$release node --test --test-concurrency=1 \
    build/test/integration/membership.test.js build/test/integration/drift.test.js build/test/scale/stack.test.js ||
    failed+=("Debian $release")
done
echo "test:scale: twenty-five hosts"
# New hosts get Debian 12; those of the runs above keep theirs.
bash scripts/prepare.sh 28
node --test build/test/scale/twenty-five.test.js || failed+=("twenty-five hosts")
[[ ${#failed[@]} -eq 0 ]] || { echo "test:scale: failures on ${failed[*]} (see above)" >&2; exit 1; }
