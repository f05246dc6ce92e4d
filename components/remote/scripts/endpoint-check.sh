#!/bin/sh
# Prints how the engine endpoint differs from what endpoint-create makes, one
# line per difference, and nothing when it is as configured; where a
# difference is there and the engine manages a swarm, `swarm: manager` or
# `swarm: leader`; `engine: silent` where it does not answer on TCP; then the
# run that last made it. Changes nothing.
# Parameters: HOST LISTEN PROBE DROPIN TCP_SOCKET SCRIPTS (the folder of the
# scripts the commands run), and with TLS: ENGINE_TLS,
# TLS_CA (the stack's CA certificate), TLS_NOT_BEFORE (when this period's
# certificates start, in seconds since 1970) and TLS_CLIENT (yes for a
# manager, which holds a client certificate). The host's own certificate is an
# output, which a check cannot wait for: a certificate of this period from the
# stack's CA that names other addresses shows in the engine's TLS answer below.
# Any difference is a change that endpoint-create makes, which restarts the
# engine, but for the manager's client certificate, which no engine reads.
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
drift=
differs() { echo "$*"; drift=yes; }
# Whether certificate $1 is of this period's, from the stack's CA.
of_this_period() {
  valid_from=$(date -u -d "$(openssl x509 -noout -startdate -in "$1" | cut -d= -f2)" +%s)
  [ "$valid_from" = "$TLS_NOT_BEFORE" ] ||
    differs "$1 is valid from $(date -u -d "@$valid_from" +%F), not from $(date -u -d "@$TLS_NOT_BEFORE" +%F) as this period's"
}
wanted_dropin
if [ ! -e "$DROPIN" ]; then
  differs "drop-in $DROPIN is missing"
elif ! dropin_in_place; then
  if [ "$(cat "$DROPIN")" != "$want" ]; then
    differs "drop-in $DROPIN is not tcp://$LISTEN${ENGINE_TLS:+ with mutual TLS} over the packaged ExecStart"
  elif [ ! -e "$TCP_SOCKET" ]; then
    differs "socket unit $TCP_SOCKET is missing"
  else
    differs "socket unit $TCP_SOCKET is not tcp://$LISTEN"
  fi
fi
if [ -n "${ENGINE_TLS:-}" ]; then
  if ! [ -s "$ENGINE_TLS/ca.pem" ] || ! [ -s "$ENGINE_TLS/cert.pem" ]; then
    differs "certificates in $ENGINE_TLS are missing"
  elif [ "$(cat "$ENGINE_TLS/ca.pem")" != "$(printf '%s\n' "$TLS_CA")" ]; then
    differs "$ENGINE_TLS/ca.pem is not the stack's CA certificate"
  else
    of_this_period "$ENGINE_TLS/cert.pem"
  fi
  if [ "$TLS_CLIENT" = no ]; then
    [ ! -e "$ENGINE_TLS/client.pem" ] || differs "$ENGINE_TLS/client.pem is there, and only a manager holds a client certificate"
  elif ! [ -s "$ENGINE_TLS/client.pem" ]; then
    differs "the manager's client certificate $ENGINE_TLS/client.pem is missing"
  else
    of_this_period "$ENGINE_TLS/client.pem"
  fi
fi
# The scripts that the commands run, on a host where this tool made the
# endpoint: an update puts them back before any step, and runs it again.
if [ -s "$STATE_DIR/endpoint-run" ] && ! (cd "$SCRIPTS" 2>/dev/null && sha256sum -c --status SHA256SUMS 2>/dev/null); then
  differs "clipper-swarm's scripts $SCRIPTS are missing"
fi
# `engine: silent`: a preview leaves a silent engine's provider unconfigured (daemon-endpoint.ts).
if ! systemctl is-active --quiet docker; then
  differs "docker is not running"
  echo "engine: silent"
else
  state='' manager=''
  if ! answers_on_tcp; then
    differs "docker does not answer on tcp://$PROBE${ENGINE_TLS:+ with mutual TLS}"
    echo "engine: silent"
  fi
  if [ -n "$drift" ] && has_swarm_state; then swarm_state 5 || true; fi
  # A swarm manager's engine that the change restarts waits its turn, and the
  # leader's goes last (restart-order.ts).
  if [ -n "$drift" ] && [ "$state $manager" = "active true" ]; then
    if [ "$(docker node inspect self --format '{{.ManagerStatus.Leader}}' 2>/dev/null)" = true ]; then
      echo "swarm: leader"
    else
      echo "swarm: manager"
    fi
  fi
fi
report_run endpoint
