# Prints how the engine endpoint differs from what endpoint-create makes, one
# line per difference, and nothing when it is as configured; then the run that
# last made it. Changes nothing. Parameters: HOST LISTEN PROBE DROPIN TCP_SOCKET, and with
# TLS: ENGINE_TLS (the certificates are outputs, which a check cannot wait
# for: the engine's TLS answer below is what shows them wrong)
wanted_dropin
if [ ! -e "$DROPIN" ]; then
  echo "drop-in $DROPIN is missing"
elif ! dropin_in_place; then
  if [ "$(cat "$DROPIN")" != "$want" ]; then
    echo "drop-in $DROPIN is not tcp://$LISTEN${ENGINE_TLS:+ with mutual TLS} over the packaged ExecStart"
  elif [ ! -e "$TCP_SOCKET" ]; then
    echo "socket unit $TCP_SOCKET is missing"
  else
    echo "socket unit $TCP_SOCKET is not tcp://$LISTEN"
  fi
fi
if [ -n "${ENGINE_TLS:-}" ] && { ! [ -s "$ENGINE_TLS/ca.pem" ] || ! [ -s "$ENGINE_TLS/cert.pem" ]; }; then
  echo "certificates in $ENGINE_TLS are missing"
fi
# daemon-endpoint.ts reads these two lines: a preview leaves a silent engine's provider unconfigured.
if ! systemctl is-active --quiet docker; then
  echo "docker is not running"
elif ! answers_on_tcp; then
  echo "docker does not answer on tcp://$PROBE${ENGINE_TLS:+ with mutual TLS}"
fi
report_run endpoint
