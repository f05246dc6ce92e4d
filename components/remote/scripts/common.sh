#!/bin/sh
# Shared by every remote script: messages name the host, data goes to stdout.
set -eu
say() { printf '%s: %s\n' "$HOST" "$*" >&2; }
fail() { printf '%s: error: %s\n' "$HOST" "$*" >&2; exit 1; }
# Waits, at most $1 seconds, until the command in the remaining arguments
# succeeds, asking often at first, as what it waits for mostly settles soon (a
# node's new role after a promotion), then every second.
wait_for() {
  deadline=$(($(date +%s) + $1)); shift
  pause=0.1
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep "$pause"
    case "$pause" in 0.1) pause=0.2 ;; 0.2) pause=0.5 ;; *) pause=1 ;; esac
  done
}

# Every docker call is bounded: a wedged engine takes connections and never
# answers them. A call gets DOCKER_SECONDS; the swarm's own long steps (init,
# join, leave, promote, demote, token rotation) state their bound with docker_within.
DOCKER_SECONDS=20
docker_within() {
  limit=$1; shift
  timeout "$limit" docker "$@" && return 0
  status=$?
  [ "$status" -ne 124 ] || say "docker did not answer within $limit s (docker $*); is the engine wedged? see journalctl -u docker"
  return "$status"
}
docker() { docker_within "$DOCKER_SECONDS" "$@"; }
SWARM_STEP_SECONDS=60

# With mutual TLS (ENGINE_TLS: the folder of this host's CA, certificate and
# key), the flags that make dockerd serve with them. One word list, for
# unquoted use: the folder is a fixed path without spaces.
tls_flags() {
  printf -- '--tlsverify --tlscacert %s/ca.pem --tlscert %s/cert.pem --tlskey %s/key.pem' "$ENGINE_TLS" "$ENGINE_TLS" "$ENGINE_TLS"
}
# Stops where this host holds no client certificate (under mutual TLS).
client_certificate() {
  [ -s "$ENGINE_TLS/client.pem" ] || fail "no client certificate in $ENGINE_TLS: only a manager calls another engine"
}
# The flags of a call to a peer's engine under mutual TLS: a manager's client
# certificate, beside its engine's key. The engine's own certificate is a
# server's, and a worker holds no client one: it calls no other engine.
client_flags() {
  client_certificate
  printf -- '--tlsverify --tlscacert %s/ca.pem --tlscert %s/client.pem --tlskey %s/key.pem' "$ENGINE_TLS" "$ENGINE_TLS" "$ENGINE_TLS"
}
# Docker on engine $1: this host's socket, or a peer's TCP endpoint, with this
# manager's client certificate under mutual TLS. DOCKER_TLS_VERIFY would do
# that too, but it sends the socket calls to tcp://localhost:2376.
engine() {
  at=$1; shift
  case "$at" in
    tcp://*) if [ -n "${ENGINE_TLS:-}" ]; then
      flags=$(client_flags) || exit 1
      # shellcheck disable=SC2086  # client_flags is a word list
      docker $flags -H "$at" "$@"
      return
    fi ;;
  esac
  docker -H "$at" "$@"
}
# Runs curl, with the remaining arguments, on path $2 of engine $1's API:
# this host's socket, or a peer's TCP endpoint, with this manager's client
# certificate under mutual TLS. A call with curl costs a host a fraction of a
# docker call's CPU.
engine_curl() {
  at=$1 path=$2; shift 2
  case "$at" in
    unix://*) curl -g "$@" --unix-socket "${at#unix://}" "http://localhost$path" ;;
    tcp://*) if [ -n "${ENGINE_TLS:-}" ]; then
      client_certificate
      curl -g "$@" --cacert "$ENGINE_TLS/ca.pem" --cert "$ENGINE_TLS/client.pem" --key "$ENGINE_TLS/key.pem" "https://${at#tcp://}$path"
    else
      curl -g "$@" "http://${at#tcp://}$path"
    fi ;;
    *) fail "no engine at $at" ;;
  esac
}
# GETs path $2 of engine $1's API within $3 seconds; fails where the engine
# does not answer or refuses (curl's exit 28: not within $3 s).
engine_get() { engine_curl "$1" "$2" -sS --fail -m "$3"; }
# The first engine among $PEERS, in order, for which `$1 ENGINE` succeeds, or
# nothing. The first peer (mostly the first manager, which answers) is asked
# alone; the others at once, as asking each in turn adds a round trip to the
# first manager's path (its audit, its swarm init). Peers that refuse
# connections, as a fresh cluster's do, cost no docker call.
first_peer() {
  ask=$1
  # shellcheck disable=SC2086  # PEERS is a word list of URLs
  set -- $PEERS
  [ "$#" -gt 0 ] || return 0
  if peer_answers "$1"; then
    printf '%s\n' "$1"
    return 0
  fi
  shift
  asked=$(mktemp -d)
  i=0
  for candidate in "$@"; do
    { ! peer_answers "$candidate" || : >"$asked/$i"; } &
    i=$((i + 1))
  done
  wait
  i=0
  for candidate in "$@"; do
    if [ -e "$asked/$i" ]; then
      printf '%s\n' "$candidate"
      break
    fi
    i=$((i + 1))
  done
  rm -rf "$asked"
}
# Whether peer engine $1 takes connections and the command $ask succeeds on it.
peer_answers() { listening "$1" && "$ask" "$1"; }
# Whether engine $1 (tcp://ADDRESS:PORT) takes connections, asked with curl,
# which costs a fraction of a docker call's CPU: not when the address refuses
# them (curl's exit 7) or leaves them unanswered for 5 s (a host that is
# down). A TLS endpoint answers plain HTTP too (400); one that takes the
# connection and says nothing within 5 s is left to docker to ask.
listening() {
  connected=$(curl -gs -o /dev/null -w '%{time_connect}' --connect-timeout 5 -m 5 "http://${1#tcp://}/_ping") && return 0
  failed=$?
  [ "$failed" -ne 7 ] && [ "${connected:-0}" != 0.000000 ]
}

# --- what this tool records on the host ---
STATE_DIR=/var/lib/clipper-swarm
# The GENERATION that last made or repaired a concern ($1: endpoint, swarm) on
# this host. Its check reports it back, so that a host as configured asks for
# no change, and a drifted one for a new run.
record_run() { mkdir -p "$STATE_DIR" && printf '%s\n' "$GENERATION" >"$STATE_DIR/$1-run"; }
report_run() { if [ -s "$STATE_DIR/$1-run" ]; then echo "last-run: $(cat "$STATE_DIR/$1-run")"; fi; }
# Forgets a concern's record; with the last record, the scripts that the
# commands run (scripts/) and the folder go too: a host is left as it was
# before this tool came.
forget_run() {
  rm -f "$STATE_DIR/$1-run"
  if ! find "$STATE_DIR" -mindepth 1 -maxdepth 1 ! -name scripts 2>/dev/null | grep -q .; then rm -rf "$STATE_DIR"; fi
}

# --- the engine endpoint ---
# Starts or restarts ($1) docker for a change of this tool's. The start count
# is reset first: the packaged unit's StartLimitBurst (3 starts a minute) would
# leave docker stopped after an up, a destroy and an up within a minute.
# A stop that dockerd does not heed (a wedged engine) would hold systemctl for
# the unit's whole stop timeout: it gets 60 s.
docker_service() {
  systemctl reset-failed docker.service docker.socket
  timeout 60 systemctl "$1" docker || fail "docker did not $1 within 60 s; see systemctl status docker and journalctl -u docker"
}

# Sets want (the drop-in that exposes dockerd on tcp://$LISTEN, over the
# packaged ExecStart as the host has it) and want_socket (the socket unit at
# $TCP_SOCKET that it names; empty where none).
# In plain mode, where the packaged ExecStart takes its sockets from systemd
# (-H fd://, which serves every socket systemd passes), systemd opens the TCP
# socket too: dockerd given -H tcp:// without --tlsverify sleeps before it
# serves (Docker 23 and later). Elsewhere the drop-in gives -H tcp://: with
# TLS, dockerd would serve its packaged unix socket with TLS too if it came
# from systemd, and it does not sleep with --tlsverify.
wanted_dropin() {
  command -v systemctl >/dev/null || fail "systemd is required: systemctl not found"
  fragment=$(systemctl show -p FragmentPath --value docker.service)
  if [ -z "$fragment" ] || [ ! -f "$fragment" ]; then fail "docker.service is not installed"; fi
  if grep -qs '"hosts"' /etc/docker/daemon.json; then
    fail "/etc/docker/daemon.json sets \"hosts\", which dockerd refuses beside -H flags; remove that key (this tool manages the listeners)"
  fi
  packaged=$(sed -n 's/^ExecStart=\(..*\)$/\1/p' "$fragment" | tail -n 1)
  [ -n "$packaged" ] || fail "no ExecStart in $fragment"
  if [ -n "${ENGINE_TLS:-}" ]; then
    flags=$(tls_flags)
  else
    # Said explicitly: without --tls=false, dockerd stalls its start on plain TCP.
    flags=--tls=false
  fi
  want=$(printf '# Written by clipper-swarm: dockerd on tcp://%s beside its packaged listeners.\n[Service]\nExecStart=\nExecStart=%s -H tcp://%s %s' "$LISTEN" "$packaged" "$LISTEN" "$flags")
  want_socket=
  case " $packaged " in
    *" -H fd:// "* | *" --host=fd:// "* | *" -H=fd:// "*)
      if [ -z "${ENGINE_TLS:-}" ]; then
        want=$(printf '# Written by clipper-swarm: dockerd on tcp://%s beside its packaged listeners, which systemd opens (%s).\n[Service]\nSockets=%s' "$LISTEN" "$TCP_SOCKET" "${TCP_SOCKET##*/}")
        # PartOf: stopping docker closes it too, so that no connection on TCP
        # starts a docker stopped by hand. FreeBind: at boot, systemd opens
        # sockets before the network is up.
        want_socket=$(printf '# Written by clipper-swarm: the TCP listener of dockerd, handed to docker.service.\n[Unit]\nPartOf=docker.service\n[Socket]\nListenStream=%s\nService=docker.service\nFreeBind=true' "$LISTEN")
      fi
      ;;
  esac
}

# Whether the drop-in and its socket unit are as wanted_dropin wants.
dropin_in_place() {
  [ "$(cat "$DROPIN" 2>/dev/null)" = "$want" ] || return 1
  [ -z "$want_socket" ] || [ "$(cat "$TCP_SOCKET" 2>/dev/null)" = "$want_socket" ]
}

# Whether the engine answers on tcp://$PROBE, within 5 s: a socket that systemd
# opened while dockerd was already running, which dockerd never took, takes
# connections and never answers them. Asked for its _ping with curl, which
# costs a host far less than a docker call, as the wait after a restart may ask
# several times. Under mutual TLS, the host holds no client certificate that
# its own engine takes (a worker holds none at all): an engine that proves its
# certificate of the stack's CA, then asks for the client's, answers.
answers_on_tcp() {
  if [ -n "${ENGINE_TLS:-}" ]; then
    refused=$(curl -gsS -m 5 --cacert "$ENGINE_TLS/ca.pem" -o /dev/null "https://$PROBE/_ping" 2>&1) && return 1
    case "$refused" in *"certificate required"* | *"bad certificate"*) return 0 ;; esac
    return 1
  fi
  [ "$(curl -gs -m 5 "http://$PROBE/_ping")" = OK ]
}
# Whether the host keeps a swarm's state where Docker keeps it by default
# (/var/lib/docker): a host without one, a fresh one above all, is asked
# nothing more of its swarm role. With another data root, its engine's
# restarts go without the restart order (restart-order.ts).
has_swarm_state() { [ -e /var/lib/docker/swarm/state.json ]; }
# Whether this manager is back among the swarm's reachable managers after its
# engine restarted: the leader answers for it once it is back in raft.
back_in_raft() { [ "$(docker node inspect self --format '{{.ManagerStatus.Reachability}}')" = reachable ]; }

# Closes the TCP socket that systemd holds for dockerd, if it does: before
# dockerd restarts without it, or with a socket of another address, which
# systemd cannot open while it holds the old one.
close_tcp_socket() {
  if systemctl is-active --quiet "${TCP_SOCKET##*/}"; then systemctl stop "${TCP_SOCKET##*/}" 2>/dev/null; fi
}

# Whether the CA's and this host's certificates (TLS_CA, TLS_CERT) differ from
# those beside the host's key in ENGINE_TLS.
certificates_differ() {
  [ "$(cat "$ENGINE_TLS/ca.pem" 2>/dev/null)" != "$(printf '%s\n' "$TLS_CA")" ] ||
    [ "$(cat "$ENGINE_TLS/cert.pem" 2>/dev/null)" != "$(printf '%s\n' "$TLS_CERT")" ]
}

# --- the swarm ---
# Sets state (inactive, active, pending, ...), manager (true/false), node (this
# host's node ID, none outside a swarm) and cluster (the swarm's ID, known to
# managers only), from engine_swarm, as a docker call costs a host several
# times the CPU of a curl.
# swarm_state fails when docker does not answer; read_swarm stops the script then.
# With $1, the engine gets that many seconds, after which all four are unknown.
swarm_state() {
  if found=$(engine_swarm unix:///var/run/docker.sock "${1:-$DOCKER_SECONDS}" 2>/dev/null); then
    :
  elif [ "$?" -eq 28 ] && [ -n "${1:-}" ]; then
    found=
  else
    return 1
  fi
  # shellcheck disable=SC2086  # the fields, as words
  set -- $found
  state=${1:-} manager=${2:-false} node=${3:-} cluster=${4:-}
}
# What engine $1 says of its swarm, within $2 seconds, as swarm_fields prints
# it: from its /info, read with curl, or from docker info where the answer
# does not read as Docker's API writes it. Fails where the engine does not
# answer (curl's exit 28: not within $2 s).
engine_swarm() {
  info=$(engine_get "$1" /info "$2") || return
  found=$(printf '%s\n' "$info" | swarm_fields)
  [ -n "$found" ] ||
    found=$(engine "$1" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeID}} {{if .Swarm.Cluster}}{{.Swarm.Cluster.ID}}{{end}}') || return
  printf '%s\n' "$found"
}
# The swarm's fields of an /info answer on stdin, in compact JSON, as
# swarm_state sets them: `STATE MANAGER NODE CLUSTER`; nothing where they are
# not there. Only the swarm has a Cluster; its NodeID comes first in it.
swarm_fields() {
  sed -n 'h
    s/.*"Cluster":{"ID":"\([^"]*\)".*/\1/; t cluster
    s/.*//
    :cluster
    x
    s/.*"Swarm":{"NodeID":"\([^"]*\)".*"LocalNodeState":"\([a-z]*\)".*"ControlAvailable":\([a-z]*\).*/\2 \3 \1/; t swarm
    b
    :swarm
    G
    s/\n/ /p'
}
# A node whose role just changed (a leader that demoted itself) reports itself a
# manager of no swarm for a few seconds: read again, up to 15 s, until it says
# where it landed.
settled_swarm_state() {
  swarm_state || return 1
  if in_flight; then wait_for 15 has_landed || true; fi
}
in_flight() { [ "$manager" = true ] && [ -z "$cluster" ]; }
has_landed() { swarm_state && ! in_flight; }
read_swarm() { settled_swarm_state || fail "docker does not answer on its socket; see journalctl -u docker"; }
# Whether this node's manager role is $1 (true or false), for wait_for.
control_available() { [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = "$1" ]; }
# Demotes this manager's node (after read_swarm), and waits until it is no
# longer a manager: swarmkit refuses it where the swarm would lose its quorum.
demote_self() {
  docker_within "$SWARM_STEP_SECONDS" node demote "$node" >/dev/null ||
    fail "could not demote node $node, which the swarm needs for its quorum; bring its other managers back first"
  wait_for 30 control_available false || fail "still a manager 30 s after demotion"
}
# The swarm this tool created or joined on this host, recorded so that destroy
# leaves alone a swarm it did not make and create refuses to adopt one.
MARKER=$STATE_DIR/swarm-id
marked_swarm() { cat "$MARKER" 2>/dev/null || true; }
mark_swarm() { mkdir -p "${MARKER%/*}" && printf '%s\n' "$1" >"$MARKER"; }
# Forgets the swarm and its record.
unmark_swarm() { rm -f "$MARKER" && forget_run swarm; }
# Every node this tool adds carries the label LABEL (a parameter of the swarm
# steps), in the swarm's own records, with the host's inventory name: a host
# rejoining through a peer joins only a swarm this tool made, and the program
# tells a former member from a stranger.
# Node changes go through a manager: engine $1, a live one, when there is one
# (a manager that just joined may still be catching up), else this host.
label_self() {
  api=${1:-unix:///var/run/docker.sock}
  # The node's record changes while it joins (its status, its role), and an
  # update made from an older read of it is refused ("update out of
  # sequence"): made again, from a new read; the last try says why it failed.
  wait_for 15 engine "$api" node update --label-add "$LABEL=$HOST" "$node" ||
    engine "$api" node update --label-add "$LABEL=$HOST" "$node" >/dev/null
}
# The IDs of the nodes that manager engine $1 lists at address $2, from one
# answer whatever the swarm's size; none when it cannot list them. In Docker's
# compact JSON each node starts with its ID, and its status's Addr is the one
# without a port.
nodes_at() {
  nodes=$(engine_get "$1" /nodes "$DOCKER_SECONDS" 2>/dev/null) || return 0
  printf '%s\n' "$nodes" | sed 's/{"ID":"/\n/g' | grep -F "\"Addr\":\"$2\"" | cut -d '"' -f 1
}
# Whether node $2, as manager engine $1 lists it, is a member of raft (a manager that counts in the quorum).
in_raft() { case "$(node_record "$1" "$2")" in *'"ManagerStatus":'*) true ;; *) false ;; esac; }
# Whether manager engine $1 sees node $2 as Ready.
node_ready() { case "$(node_record "$1" "$2")" in *'"Status":{"State":"ready"'*) true ;; *) false ;; esac; }
# Node $2's record, as manager engine $1 keeps it, in compact JSON; fails where it has none.
node_record() { engine_get "$1" "/nodes/$2" "$DOCKER_SECONDS" 2>/dev/null; }
# Leaving a swarm keeps the bridge that swarm made for its containers' outside
# traffic; remove it so the host is as it was before (it stays while in use).
drop_gwbridge() {
  if docker network inspect docker_gwbridge >/dev/null 2>&1; then
    docker network rm docker_gwbridge >/dev/null 2>&1 || say "docker_gwbridge is still in use; left in place"
  fi
}
# This host's node certificate, where Docker keeps it by default, read without
# asking the engine: its subject names the node (CN), its role (OU) and its
# swarm (O). Sets cert_node and cert_swarm; fails where there is none (no
# swarm, another data root) or no openssl to read it.
read_node_certificate() {
  subject=$(openssl x509 -noout -subject -nameopt RFC2253 -in /var/lib/docker/swarm/certificates/swarm-node.crt 2>/dev/null) || return 1
  cert_node=$(printf '%s\n' "${subject#subject=}" | tr ',' '\n' | sed -n 's/^CN=//p')
  cert_swarm=$(printf '%s\n' "${subject#subject=}" | tr ',' '\n' | sed -n 's/^O=//p')
  [ -n "$cert_node" ] && [ -n "$cert_swarm" ]
}
# The ID of the swarm this host is in, after read_swarm: a manager's engine
# names it, a worker's node certificate does; nothing where neither can.
own_swarm() {
  if [ -n "$cluster" ]; then echo "$cluster"
  elif read_node_certificate; then echo "$cert_swarm"
  fi
}
# Which swarm this host is in, told by its node certificate: "ours" when it
# names swarm $1, "other" when it names another, nothing when it cannot be read.
certified_swarm() {
  read_node_certificate || return 0
  if [ "$cert_swarm" = "$1" ]; then echo ours; else echo other; fi
}
# Leaves, with --force, the swarm this tool created or joined on this host, if
# it is in it; a swarm it did not make is left alone. For a swarm being taken
# down as a whole, where no node needs to stay. The node's certificate tells
# which swarm it is in: docker info, on a manager whose peers have just left,
# answers late, and the leave would wait behind it. Without a certificate,
# docker info is asked, for 3 s: a host that records this tool's swarm and
# cannot say more by then leaves it.
leave_marked_swarm() {
  marked=$(marked_swarm)
  if [ -z "$marked" ]; then
    say "not in a swarm that clipper-swarm made; nothing to leave"
    unmark_swarm
    return 0
  fi
  case "$(certified_swarm "$marked")" in
    ours) ;;
    other)
      say "in a swarm that clipper-swarm did not make (its node certificate does not name $marked); left alone"
      return 0 ;;
    *)
      swarm_state 3 || fail "docker does not answer on its socket; see journalctl -u docker"
      if [ "$state" = inactive ]; then
        say "not in a swarm any more; nothing to leave"
        unmark_swarm
        return 0
      elif [ -n "$cluster" ] && [ "$cluster" != "$marked" ]; then
        say "in swarm $cluster, which clipper-swarm did not make; left alone"
        return 0
      fi ;;
  esac
  docker_within "$SWARM_STEP_SECONDS" swarm leave --force >/dev/null
  drop_gwbridge
  say "left swarm $marked"
  unmark_swarm
}
# The first engine among $PEERS that manages a swarm this tool made, or
# nothing: the stack's swarm (STACK_SWARM) where the program names it.
live_manager() { first_peer is_live_manager; }
# Whether engine $1 is a manager of the stack's swarm (any this tool made,
# where the program does not name it) that raft reaches, its node labelled by
# this tool: asked with curl, its /info, then its node's record.
is_live_manager() {
  peer_swarm=$(engine_swarm "$1" "$DOCKER_SECONDS" 2>/dev/null) || return 1
  # shellcheck disable=SC2086  # the fields, as words: STATE MANAGER NODE CLUSTER
  set -- "$1" $peer_swarm
  [ "${3:-}" = true ] && [ -n "${4:-}" ] || return 1
  [ -z "${STACK_SWARM:-}" ] || [ "${5:-}" = "$STACK_SWARM" ] || return 1
  peer_node=$(node_record "$1" "$4") || return 1
  case "$peer_node" in *'"Reachability":"reachable"'*) ;; *) return 1 ;; esac
  [ -n "$(printf '%s\n' "$peer_node" | sed -n "s/.*\"Spec\":{[^{}]*\"Labels\":{[^}]*\"$LABEL\":.*/labelled/p")" ]
}
# Why no engine among $PEERS is a live manager of the stack's swarm: each
# peer, and what it answered, for a message.
peer_answers_report() {
  for candidate in $PEERS; do
    if ! listening "$candidate"; then why="no answer on TCP"
    elif ! found=$(engine "$candidate" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{if .Swarm.Cluster}}{{.Swarm.Cluster.ID}}{{end}}' 2>&1); then
      why="docker: $(printf '%s\n' "$found" | tail -n 1)"
    else
      # shellcheck disable=SC2086  # the fields, as words
      set -- $found
      if [ "${1:-}" != active ]; then why="not in a swarm"
      elif [ "${2:-}" != true ]; then why="not a manager"
      elif [ -n "${STACK_SWARM:-}" ] && [ "${3:-}" != "$STACK_SWARM" ]; then why="a manager of swarm ${3:-?}"
      else why="a manager without this tool's label, or not reachable in its swarm"
      fi
    fi
    printf '%s (%s); ' "$candidate" "$why"
  done
}
# The body of a join to the swarm in ROLE, with the token read from stdin and
# the managers to reach ($1, quoted and comma-separated): the token goes from
# one engine's API to another's through a pipe and shell built-ins, never as a
# process argument.
join_body() {
  read -r token && printf '{"ListenAddr":"%s","AdvertiseAddr":"%s","RemoteAddrs":[%s],"JoinToken":"%s"}' "$LISTEN_ADDR" "$ADVERTISE" "$1" "$token"
}
# Posts the join body on stdin to engine $1's API (this host's socket, or a
# peer's endpoint), and fails with the engine's answer when it refuses.
post_join() {
  reply=$(engine_curl "$1" /swarm/join -sS -m "$SWARM_STEP_SECONDS" -H 'Content-Type: application/json' --data-binary @- -w '\n%{http_code}') ||
    fail "the engine's API did not take the join within $SWARM_STEP_SECONDS s"
  code=$(printf '%s\n' "$reply" | tail -n 1)
  [ "$code" = 200 ] || fail "join refused ($code): $(printf '%s\n' "$reply" | sed '$d')"
}
# The token that joins a node to the swarm of manager engine $1 in role $2
# (worker or manager), on stdout for a pipe: never a process argument.
join_token() {
  case "$2" in worker) token_role=Worker ;; *) token_role=Manager ;; esac
  engine_get "$1" /swarm "$DOCKER_SECONDS" | sed -n "s/.*\"JoinTokens\":{[^}]*\"$token_role\":\"\([^\"]*\)\".*/\1/p"
}
# The managers that a host joining through manager engine $1 may dial, for
# join_body: every one but the joining host's own old entry (LISTEN_ADDR),
# should one be left, which nothing answers.
join_remotes() {
  remotes=
  for addr in $(engine_get "$1" /info "$DOCKER_SECONDS" | sed -n 's/.*"RemoteManagers":\[\([^]]*\)\].*/\1/p' | tr '{' '\n' | sed -n 's/.*"Addr":"\([^"]*\)".*/\1/p'); do
    [ "$addr" = "$LISTEN_ADDR" ] || remotes="${remotes:+$remotes,}\"$addr\""
  done
  printf '%s\n' "$remotes"
}
# Joins this host in its ROLE through engine $1. Sets cluster.
join_through() {
  command -v curl >/dev/null || fail "curl is required to join without putting the token on a command line"
  remotes=$(join_remotes "$1")
  say "joining the swarm as a $ROLE through $1"
  join_token "$1" "$ROLE" | join_body "$remotes" | post_join unix:///var/run/docker.sock
  # The node and swarm IDs, from the certificate the join brought: docker info
  # is slow on a manager that has just joined beside another, and the
  # certificate answers at once. docker info answers where it cannot be read.
  if read_node_certificate; then
    node=$cert_node cluster=$cert_swarm
  else
    read_swarm
  fi
}
# Removes the entry this host left behind in the swarm's list (it left by hand,
# or the system was rebuilt): another node at this host's address, through
# manager engine $1. A stale manager entry still in raft counts in the quorum,
# so it is demoted first; one that a forced new cluster left out of raft
# cannot be demoted, and goes as it is. After read_swarm.
remove_stale_nodes() {
  for id in $(nodes_at "$1" "$ADVERTISE"); do
    [ "$id" != "$node" ] || continue
    if in_raft "$1" "$id"; then
      wait_for 30 engine "$1" node demote "$id" || fail "could not demote node $id, this host's entry before it rejoined"
    fi
    engine "$1" node rm --force "$id" >/dev/null && say "removed node $id, this host's entry before it rejoined"
  done
}

# --- the overlay network ---
# Looks at network NETWORK through engine $1 and sets: net_found, how it
# differs from an attachable overlay, encrypted if ENCRYPTED is yes, in one
# line (empty when it is as configured); net_id; net_run, the run that made it
# (its clipper-swarm.run label); net_stack, the stack that made it (its
# clipper-swarm.stack label). The lookup skips a network with no label map
# (index fails on it) and a label that is not there (index prints <no value>).
# shellcheck disable=SC2034  # net_found and net_run are for the scripts that call it
inspect_network() {
  net_found='' net_id='' net_run='' net_stack=''
  # shellcheck disable=SC2016  # a Go template for docker, not shell
  if ! fields=$(engine "$1" network inspect "$NETWORK" --format '{{.Driver}} {{.Attachable}} {{.Scope}} encryption={{range $k, $v := .Options}}{{if eq $k "encrypted"}}on{{end}}{{end}} {{.Id}} run={{with .Labels}}{{with index . "clipper-swarm.run"}}{{.}}{{end}}{{end}} stack={{with .Labels}}{{with index . "clipper-swarm.stack"}}{{.}}{{end}}{{end}}' 2>/dev/null); then
    net_found="network $NETWORK is missing"
    return 0
  fi
  # shellcheck disable=SC2086  # the fields, as words
  set -- $fields
  net_id=$5 net_run=${6#run=} net_stack=${7#stack=}
  is=unencrypted want=unencrypted
  [ "$4" != encryption=on ] || is=encrypted
  [ "$ENCRYPTED" != yes ] || want=encrypted
  if [ "$1 $2 $3" != "overlay true swarm" ]; then
    net_found="network $NETWORK is $1 $2 $3, not an attachable overlay"
  elif [ "$is" != "$want" ]; then
    net_found="network $NETWORK is $is, not $want"
  fi
}
# Stops the step when network NETWORK, there (it has an ID), is not this
# stack's (STACK): never removed, whoever made it.
refuse_foreign_network() {
  [ -z "$net_id" ] || [ "$net_stack" = "$STACK" ] ||
    fail "network $NETWORK is there, and stack $STACK did not make it${net_stack:+ (stack $net_stack did)}; remove it (docker network rm $NETWORK), or set networkName"
}
