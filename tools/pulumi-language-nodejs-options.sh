#!/usr/bin/env bash
# The Node.js language host that setup builds (3.68.0, the newest one Go
# modules serve) reads a project's runtime options from its command line, as
# the CLIs of its day passed them. Newer CLIs send them inside each request,
# where that host does not look: Pulumi.yaml's `typescript: false` and
# `nodeargs` would be ignored, and the program would run through ts-node,
# type-checked, instead of the transpiler that the options name. So this
# launcher reads them from the Pulumi.yaml of the folder the CLI starts it in
# (the project's) and passes them as that host's flags. It reads the block
# form that `pulumi config` and this project write:
#   runtime:
#     name: nodejs
#     options:
#       typescript: false
#       nodeargs: --require sucrase/register/ts
# A `runtime: nodejs` line, or no options, leaves Pulumi's defaults.
set -euo pipefail
host="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/pulumi-language-nodejs-host"

project=Pulumi.yaml
[[ -f $project ]] || project=Pulumi.yml
flags=()
if [[ -f $project ]]; then
  # KEY<TAB>VALUE for each key under runtime.options, unquoted.
  while IFS=$'\t' read -r key value; do
    case $key in
      typescript | nodeargs | tsconfig) flags+=("-$key=$value") ;;
    esac
  done < <(awk '
    /^[^[:space:]#]/ { in_runtime = ($0 ~ /^runtime:[[:space:]]*$/); in_options = 0; next }
    !in_runtime || /^[[:space:]]*(#|$)/ { next }
    {
      indent = match($0, /[^ ]/) - 1
      line = substr($0, indent + 1)
      if (line ~ /^options:[[:space:]]*$/) { in_options = 1; options_indent = indent; next }
      if (in_options && indent <= options_indent) in_options = 0
      if (!in_options || !match(line, /^[A-Za-z]+:[[:space:]]*/)) next
      key = substr(line, 1, index(line, ":") - 1)
      value = substr(line, RLENGTH + 1)
      sub(/[[:space:]]+#.*$/, "", value)
      if (value ~ /^".*"$/ || value ~ /^\047.*\047$/) value = substr(value, 2, length(value) - 2)
      print key "\t" value
    }' "$project")
fi
exec "$host" "${flags[@]}" "$@"
