# Prints how the engine endpoint differs from what endpoint-create makes, one
# line per difference, and nothing when it is as configured; then the run that
# last made it. Changes nothing. Parameters: HOST LISTEN PROBE DROPIN
wanted_dropin
if [ ! -e "$DROPIN" ]; then
  echo "drop-in $DROPIN is missing"
elif [ "$(cat "$DROPIN")" != "$want" ]; then
  echo "drop-in $DROPIN is not tcp://$LISTEN over the packaged ExecStart"
fi
if ! systemctl is-active --quiet docker; then
  echo "docker is not running"
elif ! docker -H "tcp://$PROBE" version >/dev/null 2>&1; then
  echo "docker does not answer on tcp://$PROBE"
fi
report_run endpoint
