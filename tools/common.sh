# shellcheck shell=bash
# Sourced by tools/setup.sh and tools/plugins.sh, which set $root first.

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# The version package.json pins for an npm dependency.
npm_pin() {
  # shellcheck disable=SC2154  # root is set by the script that sources this file
  node -p "require('$root/package.json').dependencies['$1'] || ''"
}
