#!/bin/sh
# Makes this host's engine key once, readable by root only, and prints a
# certificate request for it that names the host as SUBJECT_ALT_NAMES lists
# them; the stack's CA signs it. The key never leaves the host.
# Parameters: HOST ENGINE_TLS SUBJECT_ALT_NAMES GENERATION
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
command -v openssl >/dev/null || fail "openssl is required to make the engine's TLS key (apt-get install openssl)"
umask 077
mkdir -p "$ENGINE_TLS"
if [ -s "$ENGINE_TLS/key.pem" ]; then
  say "engine key $ENGINE_TLS/key.pem already in place"
else
  openssl ecparam -genkey -name prime256v1 -noout -out "$ENGINE_TLS/key.pem.tmp" 2>/dev/null ||
    fail "openssl could not make a P-256 key"
  mv "$ENGINE_TLS/key.pem.tmp" "$ENGINE_TLS/key.pem"
  say "made engine key $ENGINE_TLS/key.pem"
fi
openssl req -new -key "$ENGINE_TLS/key.pem" -subj "/CN=$HOST" -addext "subjectAltName=$SUBJECT_ALT_NAMES" ||
  fail "openssl could not make a certificate request for $SUBJECT_ALT_NAMES"
record_run tls-key
