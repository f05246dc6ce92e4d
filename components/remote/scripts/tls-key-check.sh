#!/bin/sh
# Prints what tls-key-create would make again, and nothing when the key is in
# place; then the run that last made it. Changes nothing.
# Parameters: HOST ENGINE_TLS
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
[ -s "$ENGINE_TLS/key.pem" ] || echo "engine key $ENGINE_TLS/key.pem is missing"
report_run tls-key
