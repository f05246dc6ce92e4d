#!/usr/bin/env bash
# `npm run test:scale`: the membership, drift and whole-stack suites on all
# seven test hosts (host4..host10) at once, on Debian 12, then on Debian 13.
# The dev stack's hosts (host1..host3) are left as they are.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export CLIPPER_TEST_INVENTORY=test/fixtures/lab-hosts-scale.yaml
failed=()
for release in 12 13; do
  echo "test:scale: seven Debian $release hosts"
  bash scripts/prepare.sh 10 --debian "$(printf "host%s=$release," 4 5 6 7 8 9 10 | sed 's/,$//')"
  CLIPPER_TEST_DEBIAN=$release node --test --test-concurrency=1 \
    build/test/integration/membership.test.js build/test/integration/drift.test.js build/test/scale/ ||
    failed+=("Debian $release")
done
[[ ${#failed[@]} -eq 0 ]] || { echo "test:scale: failures on ${failed[*]} (see above)" >&2; exit 1; }
