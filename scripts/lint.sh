#!/usr/bin/env bash
# The project's lint: shellcheck on every shell file, and TypeScript's own
# check of every source. It changes nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v shellcheck >/dev/null || { echo "lint: shellcheck is required (apt-get install shellcheck)" >&2; exit 1; }
# The remote scripts read common.sh from their own folder.
(cd components/remote/scripts && shellcheck -x ./*.sh)
shellcheck -x --source-path=SCRIPTDIR .ci/run bench/procedure.sh lab/*.sh scripts/*.sh tools/*.sh
bash scripts/npm-packages.sh
npx tsc --noEmit -p .
echo "lint: clean"
