#!/usr/bin/env bash
# Every test: unit tests (Pulumi's mocks) and integration tests that drive the
# real CLI and the lab's hosts. Prepares what they need first.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Hosts 4-9 for the tests beside the dev stack's 1-3: 4-6 on Debian 12, 7-9 on
# Debian 13 (test/support/lab-clusters.ts).
bash "$root/scripts/prepare.sh" 9 --debian host4=12,host5=12,host6=12,host7=13,host8=13,host9=13
cd "$root"
# One process at a time: the integration tests share the lab's hosts.
exec node --test --test-concurrency=1 build/test/unit/ build/test/integration/
