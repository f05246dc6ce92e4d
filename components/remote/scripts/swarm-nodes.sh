#!/bin/sh
# Prints the swarm's nodes as this host's engine lists them (`nodes: JSON`, one
# line) when it manages a swarm; `unavailable: WHY` when it is a manager that
# cannot list them (the swarm has no leader); nothing otherwise. Changes
# nothing. Parameters: HOST
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || fail "curl is required"
# Through the engine's API, which answers far sooner than the docker CLI.
reply=$(engine_curl unix:///var/run/docker.sock /nodes -sS -m "$DOCKER_SECONDS" -w '\n%{http_code}' 2>/dev/null) || exit 0
code=$(printf '%s\n' "$reply" | tail -n 1)
body=$(printf '%s\n' "$reply" | sed '$d')
# A manager without a leader answers 500 on Docker 20.10 and 503 on later engines.
case "$code" in
  200) printf 'nodes: %s\n' "$body" | tr -d '\n'; echo ;;
  *) case "$body" in *"not a swarm manager"* | *"not part of a swarm"*) ;; *) printf 'unavailable: %s\n' "$body" ;; esac ;;
esac
