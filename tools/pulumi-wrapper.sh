#!/usr/bin/env bash
# The project's `pulumi`: the CLI built by tools/setup.sh, run against a file
# backend inside the project with passphrase secrets, its own plugin folder, and
# no update check. Plugins come from setup (tools/plugins.sh).
# Settings made by the caller win.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

export PULUMI_HOME=${PULUMI_HOME:-$root/.tools/home}
# metadata=skip: without it, each state write first truncates a sidecar file
# (`*.attrs`) and then fills it, so a CLI killed between the two leaves an
# empty one that stops every later command with `failed to load checkpoint: EOF`.
export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$root/.pulumi-state?metadata=skip}
if [[ -z ${PULUMI_CONFIG_PASSPHRASE:-} && -z ${PULUMI_CONFIG_PASSPHRASE_FILE:-} ]]; then
  export PULUMI_CONFIG_PASSPHRASE_FILE=$root/.pulumi-state/passphrase
fi
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
# A script's `pulumi ... &` starts it with SIGINT ignored, and its plugins
# inherit that; Pulumi stops each plugin with SIGINT and kills it only 5 s later.
exec env --default-signal=INT "$root/.tools/libexec/pulumi" "$@"
