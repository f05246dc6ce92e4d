#!/usr/bin/env bash
# Everything `npm run up` and `npm test` need, installed or started only when
# missing: npm packages, the compiled tests and helpers, the Pulumi toolchain,
# and the local lab of Docker hosts: $1 of them (default 3, the dev stack's),
# with the lab's other `up` options after it (`--debian SPEC`).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/npm-packages.sh
npm run --silent build

# The lab (mostly downloads and disk) comes up while the toolchain (mostly
# compiling, on a first run) is built: a cold start is a minute shorter.
bash lab/lab.sh up "${1:-3}" "${@:2}" &
lab=$!
setup=0
bash tools/setup.sh || setup=$?
lab_status=0
wait "$lab" || lab_status=$?
[[ $setup -eq 0 ]] || { echo "prepare: the toolchain could not be prepared (see above)" >&2; exit "$setup"; }
[[ $lab_status -eq 0 ]] || { echo "prepare: the lab could not be started (see above)" >&2; exit "$lab_status"; }
