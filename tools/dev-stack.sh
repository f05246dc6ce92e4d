#!/usr/bin/env bash
# Prepares the local file backend and the `dev` stack (the lab), once per clone.
# The passphrase that encrypts the stack's secrets is made here, kept beside the
# state (both gitignored) and never printed.
set -euo pipefail
pulumi=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The dev stack lives in the lab's backend with the lab's passphrase, whatever
# the caller's shell sets for the user's own stacks.
unset PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE PULUMI_CONFIG_PASSPHRASE_FILE
state="$root/.pulumi-state"

# Pulumi writes the stack's encryption salt into Pulumi.dev.yaml; it matches this
# clone's passphrase only, so git is told to leave it out (see .gitattributes).
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$root" config filter.clipper-swarm-dev-salt.clean "sed '/^encryptionsalt:/d'"
  git -C "$root" config filter.clipper-swarm-dev-salt.smudge cat
fi

mkdir -p "$state"
if [[ ! -s $state/passphrase ]]; then
  (umask 077 && head -c 32 /dev/urandom | base64 >"$state/passphrase")
fi
cd "$root"
if ! "$pulumi" stack ls --json 2>/dev/null | grep -q '"name": "dev"'; then
  # A salt left by a stack whose state is gone (a new checkout of this clone's
  # files, a removed .pulumi-state) cannot match a new passphrase: stack init
  # would stop at "incorrect passphrase".
  sed -i '/^encryptionsalt:/d' Pulumi.dev.yaml
  if ! out=$("$pulumi" stack init dev --secrets-provider passphrase 2>&1); then
    printf '%s\n' "$out" >&2
    exit 1
  fi
  echo "setup: created stack dev (local state in .pulumi-state/)"
fi
