#!/usr/bin/env bash
# Every test: unit tests (Pulumi's mocks) and integration tests that drive the
# real CLI and the lab's hosts. Prepares what they need first.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Hosts 4-6 for the tests (test/fixtures/lab-hosts.yaml) beside the dev stack's 1-3.
bash "$root/scripts/prepare.sh" 6
cd "$root"
# One process at a time: the integration tests share the lab's hosts.
exec node --test --test-concurrency=1 build/test/unit/ build/test/integration/
