# Exposes dockerd on tcp://$LISTEN with a systemd drop-in that keeps the
# packaged ExecStart flags, then waits until the engine answers on TCP.
# Parameters: HOST LISTEN (address:port) PROBE (address:port to check) DROPIN GENERATION
wanted_dropin
if [ "$(cat "$DROPIN" 2>/dev/null)" = "$want" ]; then
  say "drop-in $DROPIN already in place"
  if ! systemctl is-active --quiet docker; then
    say "docker is not running; starting it"
    docker_service start
  fi
else
  say "writing $DROPIN (ExecStart: $packaged -H tcp://$LISTEN --tls=false); restarting docker"
  mkdir -p "${DROPIN%/*}"
  printf '%s\n' "$want" >"$DROPIN.tmp" && mv "$DROPIN.tmp" "$DROPIN"
  systemctl daemon-reload
  docker_service restart
fi
wait_for 60 docker -H "tcp://$PROBE" version ||
  fail "docker does not answer on tcp://$PROBE after 60 s; see journalctl -u docker"
say "docker answers on tcp://$PROBE"
record_run endpoint
