#!/usr/bin/env bash
# Installs the npm packages when package-lock.json differs from the one last
# installed (npm keeps no record of that itself); otherwise does nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! cmp -s package-lock.json node_modules/.clipper-swarm-lock 2>/dev/null; then
  echo "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.clipper-swarm-lock
fi
