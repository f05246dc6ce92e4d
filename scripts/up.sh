#!/usr/bin/env bash
# The main job: prepare everything, converge the dev stack on the lab, verify it,
# and say what a Clipper user does next.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# The dev stack lives in the lab's backend with the lab's passphrase, whatever
# the caller's shell sets for the user's own stacks (README, "Your own hosts").
unset PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE PULUMI_CONFIG_PASSPHRASE_FILE PULUMI_STACK CLIPPER_PULUMI
bash scripts/prepare.sh

if [[ -s .tools/missing-plugins ]]; then
  echo "up: the toolchain and the lab are ready, but the stack cannot run without these resource plugins:" >&2
  sed 's/^/  /' .tools/missing-plugins >&2
  echo "up: place a binary of each at the path setup printed, then run npm run up again." >&2
  exit 1
fi

pulumi=.tools/bin/pulumi
"$pulumi" up --yes --skip-preview --stack dev
node build/bin/verify.js

cat <<NEXT

The cluster is ready. Next, for Clipper:
  - clipper_admin's host_list:   $pulumi stack output clipperHostList --stack dev > host_list
  - a shell on clipper_network:  npm run shell -- host2
  - the seed's test command:     $("$pulumi" stack output testCommand --stack dev)
  - drift check:                 $pulumi preview --stack dev --expect-no-changes
  - tear down:                   $pulumi destroy --stack dev
NEXT
