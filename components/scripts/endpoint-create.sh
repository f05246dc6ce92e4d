# Exposes dockerd on tcp://$LISTEN with a systemd drop-in that keeps the
# packaged ExecStart flags, then waits until the engine answers on TCP.
# Parameters: HOST LISTEN (address:port) PROBE (address:port to check) DROPIN
command -v systemctl >/dev/null || fail "systemd is required: systemctl not found"
fragment=$(systemctl show -p FragmentPath --value docker.service)
[ -n "$fragment" ] && [ -f "$fragment" ] || fail "docker.service is not installed"
if grep -qs '"hosts"' /etc/docker/daemon.json; then
  fail "/etc/docker/daemon.json sets \"hosts\", which dockerd refuses beside -H flags; remove that key (this tool manages the listeners)"
fi
packaged=$(sed -n 's/^ExecStart=\(..*\)$/\1/p' "$fragment" | tail -n 1)
[ -n "$packaged" ] || fail "no ExecStart in $fragment"
# --tls=false said explicitly: dockerd otherwise stalls its start 15 s on plain TCP.
want=$(printf '# Written by clipper-swarm: dockerd on tcp://%s beside its packaged listeners.\n[Service]\nExecStart=\nExecStart=%s -H tcp://%s --tls=false' "$LISTEN" "$packaged" "$LISTEN")
if [ "$(cat "$DROPIN" 2>/dev/null)" = "$want" ]; then
  say "drop-in $DROPIN already in place"
  if ! systemctl is-active --quiet docker; then
    say "docker is not running; starting it"
    systemctl start docker
  fi
else
  say "writing $DROPIN (ExecStart: $packaged -H tcp://$LISTEN --tls=false); restarting docker"
  mkdir -p "${DROPIN%/*}"
  printf '%s\n' "$want" >"$DROPIN.tmp" && mv "$DROPIN.tmp" "$DROPIN"
  systemctl daemon-reload
  systemctl restart docker
fi
wait_for 60 docker -H "tcp://$PROBE" version ||
  fail "docker does not answer on tcp://$PROBE after 60 s; see journalctl -u docker"
say "docker answers on tcp://$PROBE"
