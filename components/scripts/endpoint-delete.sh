# Removes the drop-in so that dockerd listens on its packaged sockets only.
# Parameters: HOST DROPIN
if [ ! -e "$DROPIN" ]; then
  say "no drop-in $DROPIN; nothing to do"
  exit 0
fi
rm -f "$DROPIN"
rmdir "${DROPIN%/*}" 2>/dev/null || true
systemctl daemon-reload
systemctl restart docker
wait_for 60 docker version || fail "docker does not answer on its socket after 60 s; see journalctl -u docker"
say "removed $DROPIN; docker listens on its socket only"
