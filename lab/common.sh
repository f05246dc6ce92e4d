# shellcheck shell=bash
# Shared settings and helpers; sourced by lab.sh.

LAB_PREFIX=clipper-lab-        # container name = prefix + hostN
# shellcheck disable=SC2034  # read by hosts.sh
LAB_NET=clipper-lab
# shellcheck disable=SC2034  # read by hosts.sh
LAB_SUBNET=10.231.0.0/24
# shellcheck disable=SC2034  # read by hosts.sh
LAB_GATEWAY=10.231.0.1
# shellcheck disable=SC2034  # read by engine.sh, hosts.sh and images.sh
LAB_STATE=/var/lib/clipper-lab
LAB_RUN=/run/clipper-lab
# shellcheck disable=SC2034  # read by images.sh
LAB_CACHE=/root/.cache/clipper-swarm/lab
LAB_KEY="$REPO_ROOT/.lab/id_ed25519"
# shellcheck disable=SC2034  # read by hosts.sh and images.sh
PROBE_IMAGE=clipper-lab/probe:latest
# The most hosts a lab holds, and the memory each may take (systemd, sshd,
# Docker and the test containers): the scale test's 25 beside the dev stack's 3
# stay well under the machine's.
LAB_MAX_HOSTS=28
# shellcheck disable=SC2034  # read by hosts.sh
LAB_HOST_MEMORY=512m

# Every docker call of the lab goes to the lab's own engine, never to whatever
# engine or context the caller has configured.
export DOCKER_HOST="unix://$LAB_RUN/docker.sock"
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH

SSH_OPTS=(-i "$LAB_KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
  -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=5)

log() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

host_addr() { echo "10.231.0.$((10 + ${1#host}))"; }   # host3 -> 10.231.0.13
host_ctr()  { echo "$LAB_PREFIX$1"; }
# Whether $1 names a lab host: host1 to host$LAB_MAX_HOSTS.
is_lab_host() { [[ $1 =~ ^host([1-9][0-9]*)$ ]] && [ "${BASH_REMATCH[1]}" -le "$LAB_MAX_HOSTS" ]; }

lab_ssh_to() {  # lab_ssh_to ADDR [CMD...]
  local addr=$1; shift
  # shellcheck disable=SC2029  # CMD is a command line for the host's shell, as ssh takes it
  ssh "${SSH_OPTS[@]}" "root@$addr" "$@"
}

ensure_key() {
  [ -f "$LAB_KEY" ] && return
  mkdir -p "$(dirname "$LAB_KEY")"
  ssh-keygen -q -t ed25519 -N '' -C clipper-lab -f "$LAB_KEY"
  log "created SSH key ${LAB_KEY#"$REPO_ROOT"/}"
}
