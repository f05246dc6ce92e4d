# Shared by tools/setup.sh and tools/plugins.sh, which set $root first.

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# The version package.json pins for an npm dependency.
npm_pin() {
  node -p "require('$root/package.json').dependencies['$1'] || ''"
}
