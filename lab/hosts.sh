# shellcheck shell=bash
# Lab network and hosts; sourced by lab.sh.

# --privileged fails here ("unable to apply caps": CAP_SYS_RESOURCE is not in
# the machine's bounding set), so grant every other capability by name.
# PERFMON, BPF and CHECKPOINT_RESTORE are left out because Debian's 20.10
# engine rejects them as unknown; nothing in the hosts needs them.
HOST_CAPS=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID
  SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW
  IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT
  SYS_ADMIN SYS_BOOT SYS_NICE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE
  AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND
  AUDIT_READ)

HOSTS_FILE=$LAB_STATE/hosts   # how many hosts the last `up` asked for

# lab_up N: hosts 1..N up, each on the release wanted_release gives it.
# Each host's systemd and dockerd hold inotify instances of root's, counted
# for the whole machine: the kernel's default runs out before the lab's
# largest size has booted, and a host's systemd then exits at once.
raise_inotify_limit() {
  local want=8192
  [ "$(sysctl -n fs.inotify.max_user_instances)" -ge "$want" ] || sysctl -qw fs.inotify.max_user_instances="$want"
}

lab_up() {
  local n=$1 i
  ensure_packages
  raise_inotify_limit
  engine_start
  ensure_probe_image
  ensure_key
  ensure_network
  remove_hosts_above "$n"
  for ((i = 1; i <= n; i++)); do ensure_host "host$i" "$(wanted_release "host$i")"; done
  echo "$n" >"$HOSTS_FILE"
  wait_hosts "$n"
  for ((i = 1; i <= n; i++)); do ensure_probe_in "host$i"; done
  publish_names
  lab_status
}

ensure_network() {
  local subnet
  if subnet=$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$LAB_NET" 2>/dev/null); then
    [ "$subnet" = "$LAB_SUBNET" ] ||
      die "network $LAB_NET exists with subnet $subnet, expected $LAB_SUBNET; run: bash lab/lab.sh down"
    return
  fi
  log "creating network $LAB_NET ($LAB_SUBNET)"
  docker network create --driver bridge --subnet "$LAB_SUBNET" --gateway "$LAB_GATEWAY" \
    -o com.docker.network.bridge.name=clipper-lab0 --label clipper-lab=1 "$LAB_NET" >/dev/null
}

# Hosts that exist, as hostN names in numeric order.
existing_hosts() {
  docker ps -a --filter label=clipper-lab.host --format '{{.Label "clipper-lab.host"}}' |
    sort -V
}

remove_hosts_above() {
  local h
  for h in $(existing_hosts); do
    [ "${h#host}" -gt "$1" ] || continue
    log "removing $h (up asked for $1 hosts)"
    docker rm -f "$(host_ctr "$h")" >/dev/null
    docker volume rm -f "$(host_ctr "$h")-docker" >/dev/null
  done
}

# systemd in a host remounts /sys/fs/cgroup read-only (a superblock-wide
# remount): with the machine's whole /sys/fs/cgroup bind-mounted, that would
# turn the MACHINE's cgroup tmpfs read-only too. So each host gets a tmpfs of
# its own there, with the machine's hierarchies bound inside it, read-write.
cgroup_mounts_args() {
  local m
  # shellcheck disable=SC2054  # commas are mount options
  cgroup_mounts=(--tmpfs /sys/fs/cgroup:rw,nosuid,nodev,noexec,mode=755)
  # shellcheck disable=SC2013  # one field per line, and mountinfo escapes blanks: words are lines
  for m in $(awk '$5 ~ "^/sys/fs/cgroup/[^/]+$" { print $5 }' /proc/self/mountinfo); do
    cgroup_mounts+=(-v "$m:$m:rw")
  done
}

ctr_state() {  # running | stopped | absent
  local s
  s=$(docker inspect -f '{{.State.Status}}' "$(host_ctr "$1")" 2>/dev/null) || { echo absent; return; }
  [ "$s" = running ] && echo running || echo stopped
}

# ensure_host HOST RELEASE: HOST up on Debian RELEASE, with this checkout's key.
# A host on another release is replaced, as reset does.
ensure_host() {
  local h=$1 release=$2 have
  have=$(host_release "$h")
  if [ -n "$have" ] && [ "$have" != "$release" ]; then
    log "$h runs Debian $have, Debian $release asked for: replacing it"
    replace_host "$h" "$release"
  else
    case $(ctr_state "$h") in
      absent) create_host "$h" "$release" ;;
      *)
        # A host made from an older recipe lacks what the stack and its tests
        # now need of a host (its login users, its packages): a fresh one, as
        # reset makes, takes its place. The stack's next `up` repairs it.
        if [ "$(docker inspect -f '{{.Config.Image}}' "$(host_ctr "$h")")" != "$(host_image "$release")" ]; then
          log "$h runs an older Debian $release image; replacing it with a fresh one (as reset does)"
          replace_host "$h" "$release"
        elif [ "$(ctr_state "$h")" = stopped ]; then
          log "starting $h"
          docker start "$(host_ctr "$h")" >/dev/null
        fi
        ;;
    esac
  fi
  authorize_key "$h"
}

# create_host HOST RELEASE: a new Debian RELEASE system at HOST's address, booting.
create_host() {
  local h=$1 release=$2 ctr addr cap caps=() cgroup_mounts=()
  ctr=$(host_ctr "$h") addr=$(host_addr "$h")
  ensure_host_image "$release"
  log "creating $h ($addr, Debian $release)"
  for cap in "${HOST_CAPS[@]}"; do caps+=(--cap-add "$cap"); done
  cgroup_mounts_args
  docker volume create --label clipper-lab=1 "$ctr-docker" >/dev/null
  # systemd as PID 1 needs the cgroup tree, its own /run, and no seccomp;
  # the inner dockerd needs devices and a non-overlay /var/lib/docker.
  docker create --name "$ctr" --hostname "$h" --label "clipper-lab.host=$h" \
    --label "$RELEASE_LABEL=$release" \
    --network "$LAB_NET" --ip "$addr" --network-alias "$h" \
    "${caps[@]}" \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    --security-opt systempaths=unconfined \
    --device-cgroup-rule 'a *:* rwm' \
    --cgroupns=host "${cgroup_mounts[@]}" \
    --tmpfs /run:exec,mode=755 --tmpfs /run/lock \
    -v "$ctr-docker:/var/lib/docker" \
    --memory "$LAB_HOST_MEMORY" --memory-swap "$LAB_HOST_MEMORY" \
    --stop-timeout 30 \
    "$(host_image "$release")" >/dev/null
  restore_host_keys "$h"
  docker start "$ctr" >/dev/null
}

# replace_host HOST RELEASE: a fresh Debian RELEASE system in HOST's place, with
# an empty Docker volume and HOST's SSH host keys.
replace_host() {
  # The image first, so that HOST is down only while the new system boots.
  ensure_host_image "$2"
  save_host_keys "$1"
  docker rm -f "$(host_ctr "$1")" >/dev/null
  docker volume rm -f "$(host_ctr "$1")-docker" >/dev/null
  create_host "$1" "$2"
}

# Kept in the container's own layer, so it survives restarts. Each checkout on
# this machine has its own lab key: keys are added, never replaced, so one
# clone's `up` does not lock another out.
# Root and the login users (lab/host-image.sh) alike.
authorize_key() {
  docker exec -i "$(host_ctr "$1")" sh -c 'umask 077 && key=$(cat) &&
    for home in /root /home/clipper /home/nosudo; do
      mkdir -p "$home/.ssh" && touch "$home/.ssh/authorized_keys" &&
      { grep -qxF "$key" "$home/.ssh/authorized_keys" || printf "%s\n" "$key" >>"$home/.ssh/authorized_keys"; } &&
      chown -R "$(stat -c %u:%g "$home")" "$home/.ssh"
    done' \
    <"$LAB_KEY.pub"
}

# A host's SSH host keys outlive a reset or a change of release, so pinned keys
# still match: kept beside the lab's state, put back before the new system
# boots (which then generates none).
HOST_KEYS=$LAB_STATE/host-keys
save_host_keys() {
  local dir
  dir=$(mktemp -d)
  # docker cp, unlike exec, reads a stopped host too.
  docker cp "$(host_ctr "$1"):/etc/ssh/." - | tar -x -C "$dir" --wildcards './ssh_host_*'
  mkdir -p "$HOST_KEYS"
  tar -C "$dir" -cf "$HOST_KEYS/$1.tar.tmp" . && mv "$HOST_KEYS/$1.tar.tmp" "$HOST_KEYS/$1.tar"
  rm -rf "$dir"
}
restore_host_keys() {
  [ -f "$HOST_KEYS/$1.tar" ] || return 0
  docker cp - "$(host_ctr "$1"):/etc/ssh" <"$HOST_KEYS/$1.tar"
}

# Replaces a host with a fresh system of its release at the same address: a new
# container from the current image and an empty Docker volume, with the same
# SSH host keys.
lab_reset() {
  local h=$1 n=3 release
  [ "$(ctr_state "$h")" != absent ] || die "reset: $h does not exist (bash lab/lab.sh status)"
  [ -f "$HOSTS_FILE" ] && n=$(cat "$HOSTS_FILE")
  release=$(host_release "$h")
  log "resetting $h: a fresh Debian $release system at $(host_addr "$h")"
  replace_host "$h" "$release"
  authorize_key "$h"
  wait_hosts "$n"
  ensure_probe_in "$h"
}

# Powers a host off: its address stops answering, as a dead machine's does.
lab_stop() {
  [ "$(ctr_state "$1")" = running ] || die "stop: $1 is not running (bash lab/lab.sh status)"
  log "stopping $1: $(host_addr "$1") stops answering"
  docker stop "$(host_ctr "$1")" >/dev/null
}

# Powers a stopped host on again and waits until it has booted.
lab_start() {
  local n=3
  [ "$(ctr_state "$1")" = stopped ] || die "start: $1 is not stopped (bash lab/lab.sh status)"
  [ -f "$HOSTS_FILE" ] && n=$(cat "$HOSTS_FILE")
  docker start "$(host_ctr "$1")" >/dev/null
  wait_hosts "$n"
}

# What `systemctl is-system-running` says over SSH, or stopped/absent/unreachable.
host_state() {
  local s
  s=$(ctr_state "$1")
  if [ "$s" = running ]; then
    s=$(lab_ssh_to "$(host_addr "$1")" systemctl is-system-running 2>/dev/null) || true
    [ -n "$s" ] || s=unreachable
  fi
  echo "$s"
}

wait_hosts() {
  local n=$1 i h s deadline=$((SECONDS + 120)) pending
  log "waiting for $n host(s) to boot"
  while :; do
    pending=()
    for ((i = 1; i <= n; i++)); do
      h=host$i
      s=$(host_state "$h")
      case $s in
        running)
          lab_ssh_to "$(host_addr "$h")" docker info >/dev/null 2>&1 || pending+=("$h(docker)")
          ;;
        degraded)
          log "$h is degraded; failed units:"
          lab_ssh_to "$(host_addr "$h")" systemctl --failed --no-legend >&2 || true
          die "$h did not boot cleanly (see: bash lab/lab.sh ssh $h journalctl -b)"
          ;;
        *) pending+=("$h($s)") ;;
      esac
    done
    [ ${#pending[@]} -eq 0 ] && return
    if [ $SECONDS -ge $deadline ]; then
      die "hosts not ready after 120 s: ${pending[*]}"
    fi
    sleep 2
  done
}

ensure_probe_in() {
  local addr want have
  addr=$(host_addr "$1")
  want=$(docker image inspect -f '{{.Id}}' "$PROBE_IMAGE")
  have=$(lab_ssh_to "$addr" docker image inspect -f '{{.Id}}' "$PROBE_IMAGE" 2>/dev/null) || true
  [ "$have" = "$want" ] && return
  log "loading $PROBE_IMAGE into $1"
  docker save "$PROBE_IMAGE" | lab_ssh_to "$addr" docker load -q >/dev/null
}

lab_status() {
  local n=3 i h s r rc=0 hosts=()
  if ! engine_alive; then
    echo "lab engine not running (${DOCKER_HOST#unix://}); start it with: bash lab/lab.sh up"
    return 1
  fi
  [ -f "$HOSTS_FILE" ] && n=$(cat "$HOSTS_FILE")
  for ((i = 1; i <= n; i++)); do hosts+=("host$i"); done
  for h in $(existing_hosts); do
    [[ " ${hosts[*]} " == *" $h "* ]] || hosts+=("$h")
  done
  for h in "${hosts[@]}"; do
    s=$(host_state "$h") r=$(host_release "$h")
    [ "$s" = running ] || rc=1
    printf '%-8s %-12s %-9s %s\n' "$h" "$(host_addr "$h")" "${r:+debian}${r:--}" "$s"
  done
  return $rc
}

lab_down() {
  local h ids vols
  if ! engine_alive; then
    log "lab engine not running; no hosts to remove"
    unpublish_names
    return 0
  fi
  ids=$(docker ps -aq --filter label=clipper-lab.host)
  if [ -n "$ids" ]; then
    log "removing hosts: $(existing_hosts | tr '\n' ' ')"
    # A clean shutdown lets each inner dockerd tear down its containers;
    # killing the host outright would leave their cgroups on the machine.
    # shellcheck disable=SC2086
    docker stop -t 20 $ids >/dev/null
    # shellcheck disable=SC2086
    docker rm -f $ids >/dev/null
  fi
  vols=$(docker volume ls -q --filter label=clipper-lab=1)
  # shellcheck disable=SC2086
  [ -z "$vols" ] || docker volume rm -f $vols >/dev/null
  if docker network inspect "$LAB_NET" >/dev/null 2>&1; then
    docker network rm "$LAB_NET" >/dev/null
  fi
  rm -f "$HOSTS_FILE"
  unpublish_names
  log "hosts, volumes, network and their names in $NAMES_FILE removed (cached images kept)"
}

lab_ssh() {
  local h=$1 addr; shift
  case $h in
    10.231.0.*) addr=$h ;;
    *) is_lab_host "${h#"$LAB_PREFIX"}" || die "ssh: unknown host '$h' (use host1, host2, ...)"
      addr=$(host_addr "${h#"$LAB_PREFIX"}") ;;
  esac
  [ -f "$LAB_KEY" ] || die "no lab key at $LAB_KEY; run: bash lab/lab.sh up"
  exec ssh "${SSH_OPTS[@]}" "root@$addr" "$@"
}
