#!/bin/sh
# Exposes dockerd on tcp://$LISTEN with a systemd drop-in that keeps the
# packaged ExecStart flags, and in plain mode a socket unit (see
# wanted_dropin), then waits until the engine answers on TCP. With
# mutual TLS (ENGINE_TLS set), first puts the CA's and this host's certificates
# beside the key that tls-key-create made; dockerd reads them when it starts.
# A manager's client certificate goes there too; a worker's folder holds none.
# Parameters: HOST LISTEN (address:port) PROBE (address:port to check) DROPIN TCP_SOCKET GENERATION,
# and with TLS: ENGINE_TLS TLS_CA TLS_CERT, and TLS_CLIENT_CERT for a manager
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
wanted_dropin
restart=
if [ -n "${ENGINE_TLS:-}" ]; then
  [ -s "$ENGINE_TLS/key.pem" ] || fail "no engine key $ENGINE_TLS/key.pem; run pulumi up again to make it"
  if certificates_differ; then
    say "writing the CA's and this host's certificates to $ENGINE_TLS"
    printf '%s\n' "$TLS_CA" >"$ENGINE_TLS/ca.pem.tmp" && mv "$ENGINE_TLS/ca.pem.tmp" "$ENGINE_TLS/ca.pem"
    printf '%s\n' "$TLS_CERT" >"$ENGINE_TLS/cert.pem.tmp" && mv "$ENGINE_TLS/cert.pem.tmp" "$ENGINE_TLS/cert.pem"
    restart=yes
  fi
  # A manager's client certificate, which no engine reads: a role change restarts nothing.
  if [ -n "${TLS_CLIENT_CERT:-}" ]; then
    if [ "$(cat "$ENGINE_TLS/client.pem" 2>/dev/null)" != "$(printf '%s\n' "$TLS_CLIENT_CERT")" ]; then
      printf '%s\n' "$TLS_CLIENT_CERT" >"$ENGINE_TLS/client.pem.tmp" && mv "$ENGINE_TLS/client.pem.tmp" "$ENGINE_TLS/client.pem"
      say "wrote the manager's client certificate $ENGINE_TLS/client.pem"
    fi
  elif [ -e "$ENGINE_TLS/client.pem" ]; then
    rm -f "$ENGINE_TLS/client.pem"
    say "removed $ENGINE_TLS/client.pem: a worker calls no other engine"
  fi
fi
if dropin_in_place; then
  say "drop-in $DROPIN already in place"
  if [ -n "$restart" ]; then
    say "restarting docker for its new certificates"
    docker_service restart
  elif ! systemctl is-active --quiet docker; then
    say "docker is not running; starting it"
    docker_service start
  elif ! answers_on_tcp; then
    # A run killed between the drop-in and the restart, or a socket opened by
    # hand while dockerd ran (dockerd serves one only from its start).
    say "docker does not answer on tcp://$PROBE; restarting it"
    close_tcp_socket
    docker_service restart
  fi
else
  if [ -n "$want_socket" ]; then
    say "writing $TCP_SOCKET (tcp://$LISTEN) and $DROPIN, which hands it to docker.service; restarting docker"
    printf '%s\n' "$want_socket" >"$TCP_SOCKET.tmp" && mv "$TCP_SOCKET.tmp" "$TCP_SOCKET"
  else
    say "writing $DROPIN (ExecStart: $packaged -H tcp://$LISTEN $flags); restarting docker"
    rm -f "$TCP_SOCKET"
  fi
  mkdir -p "${DROPIN%/*}"
  printf '%s\n' "$want" >"$DROPIN.tmp" && mv "$DROPIN.tmp" "$DROPIN"
  systemctl daemon-reload
  close_tcp_socket
  docker_service restart
  if [ -n "$want_socket" ] && ! systemctl is-active --quiet "${TCP_SOCKET##*/}"; then
    fail "systemd could not open tcp://$LISTEN for docker: $(journalctl -u "${TCP_SOCKET##*/}" -n 1 -o cat 2>/dev/null)"
  fi
fi
wait_for 60 answers_on_tcp ||
  fail "docker does not answer on tcp://$PROBE after 60 s; see journalctl -u docker"
say "docker answers on tcp://$PROBE${ENGINE_TLS:+ with mutual TLS}"
# A swarm manager's step ends once it is back among the swarm's managers: the
# next manager's engine restarts only then (restart-order.ts), as two down at
# once cost a swarm of three its quorum.
if has_swarm_state && swarm_state 5 && [ "$state $manager" = "active true" ]; then
  wait_for 60 back_in_raft ||
    fail "docker answers, but is not back among the swarm's managers after 60 s: $(docker node inspect self --format '{{.ManagerStatus.Reachability}}' 2>&1 | tail -n 1); see journalctl -u docker"
  say "back among the swarm's managers"
fi
record_run endpoint
