# shellcheck shell=bash
# The lab hosts' names in /etc/hosts (host4.clipper-lab.test, ...), so that an
# inventory can reach them by name as it reaches real machines. `up` writes
# them, `down` removes them; nothing else in the file is touched. Sourced by lab.sh.

NAMES_FILE=${CLIPPER_LAB_NAMES_FILE:-/etc/hosts}
NAMES_DOMAIN=clipper-lab.test
NAMES_BEGIN="# clipper-lab hosts: written by lab.sh up, removed by lab.sh down"
NAMES_END="# clipper-lab hosts: end"

# The file as it is, without the lab's block.
names_file_without_block() {
  awk -v begin="$NAMES_BEGIN" -v end="$NAMES_END" \
    '$0 == begin { skip = 1 } !skip { print } $0 == end { skip = 0 }' "$NAMES_FILE"
}

# Writes the file only when its text changes, and in place: /etc/hosts may be a
# mount point, which a rename cannot replace.
names_file_write() {
  [ "$1" = "$(cat "$NAMES_FILE")" ] || printf '%s\n' "$1" >"$NAMES_FILE"
}

# The lab's block lists every host that exists.
publish_names() {
  local h block
  block=$(for h in $(existing_hosts); do printf '%s %s.%s\n' "$(host_addr "$h")" "$h" "$NAMES_DOMAIN"; done)
  if [ -z "$block" ]; then
    unpublish_names
  else
    names_file_write "$(names_file_without_block; printf '%s\n%s\n%s' "$NAMES_BEGIN" "$block" "$NAMES_END")"
  fi
}

unpublish_names() {
  names_file_write "$(names_file_without_block)"
}
