# shellcheck shell=bash
# Machine-side prerequisites and the lab's private Docker engine; sourced by lab.sh.

# command -> Debian package that provides it
LAB_DEPS=(dockerd:docker.io debootstrap:debootstrap ssh:openssh-client
  ssh-keygen:openssh-client ip:iproute2 iptables:iptables /bin/busybox:busybox-static)

ensure_packages() {
  local dep cmd pkg missing=()
  for dep in "${LAB_DEPS[@]}"; do
    cmd=${dep%%:*} pkg=${dep#*:}
    if [[ $cmd == /* ]]; then [ -x "$cmd" ] && continue
    else command -v "$cmd" >/dev/null 2>&1 && continue; fi
    [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  log "installing from Debian: ${missing[*]}"
  local aptlog
  aptlog=$(mktemp)
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    } >"$aptlog" 2>&1; then
    tail -n 20 "$aptlog" >&2
    rm -f "$aptlog"
    die "could not install ${missing[*]}"
  fi
  rm -f "$aptlog"
}

engine_alive() { docker info >/dev/null 2>&1; }

engine_start() {
  engine_alive && return
  mkdir -p "$LAB_STATE/engine" "$LAB_RUN/exec"
  # A pidfile left by an engine that died would make dockerd refuse to start.
  if [ -f "$LAB_RUN/docker.pid" ] && ! kill -0 "$(cat "$LAB_RUN/docker.pid")" 2>/dev/null; then
    rm -f "$LAB_RUN/docker.pid"
  fi
  log "starting lab engine (log: $LAB_STATE/engine.log)"
  # --bridge=none: no docker0, so this engine cannot clash with another engine
  # on the machine; the lab only uses its own fixed-subnet network.
  # setsid + nohup: the engine must outlive the shell that ran `up`.
  setsid nohup /usr/sbin/dockerd \
    --data-root "$LAB_STATE/engine" \
    --exec-root "$LAB_RUN/exec" \
    --pidfile "$LAB_RUN/docker.pid" \
    --host "$DOCKER_HOST" \
    --bridge=none \
    >>"$LAB_STATE/engine.log" 2>&1 </dev/null &
  local deadline=$((SECONDS + 60))
  until engine_alive; do
    if [ $SECONDS -ge $deadline ] || ! kill -0 $! 2>/dev/null; then
      log "lab engine did not come up; last lines of $LAB_STATE/engine.log:"
      tail -n 25 "$LAB_STATE/engine.log" >&2
      exit 1
    fi
    sleep 1
  done
}

engine_stop() {
  local pid
  [ -f "$LAB_RUN/docker.pid" ] || { log "lab engine not running"; return 0; }
  pid=$(cat "$LAB_RUN/docker.pid")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping lab engine (pid $pid)"
    kill -TERM "$pid"
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 1; done
    kill -0 "$pid" 2>/dev/null && die "lab engine (pid $pid) did not stop"
  fi
  rm -f "$LAB_RUN/docker.pid"
}
