#!/usr/bin/env bash
# Builds the Pulumi toolchain from Go modules into .tools/ (no download site is
# reachable), installs the resource plugins and prepares the local dev stack.
# Idempotent: builds are cached per version under $CLIPPER_CACHE, so a second run
# takes seconds and prints only what it still had to do.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${CLIPPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clipper-swarm}/tools
tools="$root/.tools"

# shellcheck source=common.sh
source "$root/tools/common.sh"

# The version a wrapper module's go.mod requires for a Go module.
go_pin() {
  local dir=$1 module=$2
  (cd "$root/tools/$dir" && go list -m -f '{{.Version}}' "$module")
}

# Builds the `tool` of a wrapper module into the cache once per version and
# prints the binary's path.
build_tool() {
  local dir=$1 version=$2 ldflags=$3 minutes=$4
  local bin="$cache/$dir-$version/$dir"
  if [[ ! -x $bin ]]; then
    local pkg
    pkg=$(cd "$root/tools/$dir" && go list -f '{{.ImportPath}}' tool)
    say "building $dir $version from Go modules (first time only, about $minutes min)" >&2
    local start=$SECONDS log="$cache/$dir-$version/build.log"
    mkdir -p "$(dirname "$bin")"
    if ! (cd "$root/tools/$dir" && go build -mod=readonly -trimpath -ldflags "-s -w $ldflags" -o "$bin.tmp" "$pkg") >"$log" 2>&1; then
      tail -n 20 "$log" >&2
      die "building $dir $version failed; the whole log is in $log"
    fi
    mv "$bin.tmp" "$bin"
    say "built $dir $version in $((SECONDS - start)) s" >&2
  fi
  printf '%s\n' "$bin"
}

# The resolved path of a `pulumi` on PATH (outside .tools) whose version is at
# least the pinned SDK's: the user's own CLI is used as it is, and saves the build.
pulumi_on_path() {
  local want=$1 candidate have
  candidate=$(PATH=$(tr ':' '\n' <<<"$PATH" | grep -vxF "$tools/bin" | paste -sd:) command -v pulumi) || return 1
  have=$("$candidate" version 2>/dev/null) || return 1
  have=${have#v}
  [[ $have =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || return 1
  # sort -V -C: true when the two lines are already in version order, want <= have.
  printf '%s\n%s\n' "$want" "$have" | sort -V -C || {
    say "ignoring $candidate: it is pulumi $have, older than the pinned $want" >&2
    return 1
  }
  readlink -f "$candidate"
}

# Places binary $1 in .tools/libexec (as $2 if given), hard-linked when the
# cache shares the file system, and says so when that changes it. A copy, not a
# symlink: the CLI looks for its language host beside its own resolved path.
place() {
  local dst="$tools/libexec/${2:-$(basename "$1")}"
  [[ $dst -ef $1 ]] && return
  ln -f "$1" "$dst" 2>/dev/null || cp -f "$1" "$dst"
  say "using $(basename "$1") from $1"
}

# Installs the project's script tools/$1 as $2 when they differ. $2 may be a
# hard link into the tool cache (see place), so it is replaced, never written through.
install_script() {
  cmp -s "$root/tools/$1" "$2" && return
  rm -f "$2"
  install -m 0755 "$root/tools/$1" "$2"
}

command -v node >/dev/null || die "Node.js is not installed"
[[ -d $root/node_modules/@pulumi/pulumi ]] || die "node_modules is missing: run 'npm ci' first"

pulumi_version=$(npm_pin @pulumi/pulumi)

mkdir -p "$tools/bin" "$tools/libexec" "$tools/home"

# Go is needed only for what is built: the CLI when PATH has none recent
# enough, the language host when that CLI has none beside it.
need_go() { command -v go >/dev/null || die "Go is not installed, and $1 has to be built from Go modules"; }

if users_pulumi=$(pulumi_on_path "$pulumi_version"); then
  pulumi_bin=$users_pulumi
else
  need_go "pulumi $pulumi_version (none of at least that version is on PATH)"
  cli_module_version=$(go_pin pulumi github.com/pulumi/pulumi/pkg/v3)
  [[ $cli_module_version == "v$pulumi_version" ]] ||
    die "tools/pulumi/go.mod builds $cli_module_version but package.json pins @pulumi/pulumi $pulumi_version; update one to match the other"
  pulumi_bin=$(build_tool pulumi "$pulumi_version" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$pulumi_version" 5)
fi
place "$pulumi_bin"

# An official CLI ships its Node.js language host beside it; otherwise the
# newest one that Go modules serve is built (see tools/pulumi-language-nodejs/go.mod).
host_bin=$(dirname "$pulumi_bin")/pulumi-language-nodejs
if [[ ! -x $host_bin ]]; then
  need_go "the Node.js language host"
  host_version=$(go_pin pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3)
  host_bin=$(build_tool pulumi-language-nodejs "${host_version#v}" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$host_version" 1)
fi
place "$host_bin"
ln -sfn ../libexec/pulumi-language-nodejs "$tools/bin/pulumi-language-nodejs"

# The YAML language host, for the component provider's tests: an official
# CLI ships one beside it; otherwise it is built like the Node.js host.
yaml_bin=$(dirname "$pulumi_bin")/pulumi-language-yaml
if [[ ! -x $yaml_bin ]]; then
  need_go "the YAML language host"
  yaml_version=$(go_pin pulumi-language-yaml github.com/pulumi/pulumi-yaml)
  yaml_bin=$(build_tool pulumi-language-yaml "${yaml_version#v}" \
    "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$yaml_version" 3)
fi
place "$yaml_bin"

install_script pulumi-wrapper.sh "$tools/bin/pulumi"
pulumi="$tools/bin/pulumi"

bash "$root/tools/plugins.sh" "$pulumi" "$cache" "$tools/missing-plugins"
# A user's own CLI runs with their own plugin folder (PULUMI_HOME, else
# ~/.pulumi), which gets the same plugins.
if [[ -n ${users_pulumi:-} ]]; then
  bash "$root/tools/plugins.sh" "$users_pulumi" "$cache" "$tools/missing-plugins-users"
fi
"$root/tools/dev-stack.sh" "$pulumi"
