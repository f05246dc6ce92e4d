#!/usr/bin/env bash
# Local lab for clipper-swarm: a few systemd + Docker "hosts" (containers on a
# private engine) reachable over SSH, so the Pulumi program can be exercised
# end to end without real machines. See lab/README.md.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(dirname "$LAB_DIR")

# shellcheck source=common.sh
. "$LAB_DIR/common.sh"
# shellcheck source=engine.sh
. "$LAB_DIR/engine.sh"
# shellcheck source=images.sh
. "$LAB_DIR/images.sh"
# shellcheck source=releases.sh
. "$LAB_DIR/releases.sh"
# shellcheck source=hosts.sh
. "$LAB_DIR/hosts.sh"
# shellcheck source=names.sh
. "$LAB_DIR/names.sh"

usage() {
  cat <<USAGE
usage: bash lab/lab.sh COMMAND
  up [N] [--debian SPEC]
                    create/start N lab hosts (default 3, 1..28) and wait until ready;
                    their names (hostN.clipper-lab.test) go into /etc/hosts.
                    SPEC: the Debian release (12, 13) of every host (R) or of one
                    (hostN=R), comma-separated: 13, or host7=13,host8=13. A host on
                    another release is replaced as reset does; hosts not named keep
                    theirs, new ones get 12
  status            NAME ADDRESS DEBIAN STATE per host; exit 0 only if all are running
  reset HOST        replace HOST with a fresh system of its release at the same address,
                    keeping its SSH host keys
  stop HOST         power HOST off: its address stops answering, as a dead machine's does
  start HOST        power a stopped HOST on again and wait until it has booted
  down [--all]      remove hosts, their volumes, the network and their names in /etc/hosts
                    (--all: stop the engine too)
  ssh HOST [CMD...] ssh to a lab host (host1, host2, ...) as root with the lab key
USAGE
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  up)
    n=3
    if [ $# -gt 0 ] && [[ $1 != --* ]]; then n=$1; shift; fi
    is_lab_host "host$n" || die "up: N must be 1..$LAB_MAX_HOSTS (got '$n')"
    case "${1:-}" in
      "") ;;
      --debian) [ $# -eq 2 ] || die "up: --debian takes one SPEC (e.g. 13, or host7=13,host8=13)"
        parse_debian "$2" "$n" ;;
      *) die "up: unknown option '$1'" ;;
    esac
    lab_up "$n"
    ;;
  status) lab_status ;;
  reset)
    is_lab_host "${1:-}" || die "reset: which host? (host1, host2, ...)"
    lab_reset "$1"
    ;;
  stop | start)
    is_lab_host "${1:-}" || die "$cmd: which host? (host1, host2, ...)"
    "lab_$cmd" "$1"
    ;;
  down)
    case "${1:-}" in
      "") lab_down ;;
      --all) lab_down; engine_stop ;;
      *) die "down: unknown option '$1'" ;;
    esac
    ;;
  ssh)
    [ $# -ge 1 ] || die "ssh: which host? (host1, host2, ...)"
    lab_ssh "$@"
    ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
