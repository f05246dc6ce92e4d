# shellcheck shell=bash
# Which Debian release each host runs: what `up --debian` asks for, and what a
# host's container records; sourced by lab.sh.

RELEASE_LABEL=clipper-lab.debian
# Hosts made before the release was recorded are Debian 12 (the only one then),
# as are new hosts that nothing is asked for.
DEFAULT_RELEASE=12

# The Debian releases a host can run: one host-debianR.sh each.
host_releases() {
  local f
  for f in "$LAB_DIR"/host-debian*.sh; do
    f=${f##*/host-debian}
    echo "${f%.sh}"
  done | sort -n
}

ASKED_RELEASE=           # --debian R: every host
declare -A ASKED_FOR=()  # --debian hostN=R: that host

# parse_debian SPEC N: reads `--debian` SPEC, a comma-separated list of R (every
# host) and hostN=R (one host), for an `up` of N hosts.
parse_debian() {
  local n=$2 items item h r releases
  releases=" $(host_releases | tr '\n' ' ')"
  IFS=, read -ra items <<<"$1"
  for item in "${items[@]}"; do
    case $item in
      host*=*) h=${item%%=*} r=${item#*=} ;;
      *) h='' r=$item ;;
    esac
    [[ $releases == *" $r "* ]] || die "--debian: no Debian '$r' (one of:${releases% })"
    if [ -z "$h" ]; then
      ASKED_RELEASE=$r
    elif [[ $h =~ ^host([1-9][0-9]*)$ ]] && [ "${BASH_REMATCH[1]}" -le "$n" ]; then
      ASKED_FOR[$h]=$r
    else
      die "--debian: '$h' is not one of the $n hosts (host1..host$n)"
    fi
  done
}

# host_release HOST: the release HOST's container records; nothing when it is absent.
host_release() {
  local r
  r=$(docker inspect -f "{{index .Config.Labels \"$RELEASE_LABEL\"}}" "$(host_ctr "$1")" 2>/dev/null) || return 0
  echo "${r:-$DEFAULT_RELEASE}"
}

# wanted_release HOST: what was asked for HOST, else what it runs, else the default.
wanted_release() {
  local r=${ASKED_FOR[$1]:-$ASKED_RELEASE}
  [ -n "$r" ] || r=$(host_release "$1")
  echo "${r:-$DEFAULT_RELEASE}"
}
