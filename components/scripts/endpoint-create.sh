# Exposes dockerd on tcp://$LISTEN with a systemd drop-in that keeps the
# packaged ExecStart flags, then waits until the engine answers on TCP. With
# mutual TLS (ENGINE_TLS set), first puts the CA's and this host's certificates
# beside the key that tls-key-create made; dockerd reads them when it starts.
# Parameters: HOST LISTEN (address:port) PROBE (address:port to check) DROPIN GENERATION,
# and with TLS: ENGINE_TLS TLS_CA TLS_CERT
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
fi
if [ "$(cat "$DROPIN" 2>/dev/null)" = "$want" ]; then
  say "drop-in $DROPIN already in place"
  if [ -n "$restart" ]; then
    say "restarting docker for its new certificates"
    docker_service restart
  elif ! systemctl is-active --quiet docker; then
    say "docker is not running; starting it"
    docker_service start
  fi
else
  say "writing $DROPIN (ExecStart: $packaged -H tcp://$LISTEN $flags); restarting docker"
  mkdir -p "${DROPIN%/*}"
  printf '%s\n' "$want" >"$DROPIN.tmp" && mv "$DROPIN.tmp" "$DROPIN"
  systemctl daemon-reload
  docker_service restart
fi
wait_for 60 engine "tcp://$PROBE" version ||
  fail "docker does not answer on tcp://$PROBE after 60 s; see journalctl -u docker"
say "docker answers on tcp://$PROBE${ENGINE_TLS:+ with mutual TLS}"
record_run endpoint
