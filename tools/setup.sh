#!/usr/bin/env bash
# Builds the Pulumi toolchain from Go modules into .tools/ (no download site is
# reachable), installs the resource plugins and prepares the local dev stack.
# Idempotent: builds are cached per version under $CLIPPER_CACHE, so a second run
# takes seconds and prints only what it still had to do.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${CLIPPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clipper-swarm}/tools
tools="$root/.tools"

# shellcheck source=tools/common.sh
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

# A `pulumi` of the pinned version already on PATH (outside .tools) saves the build.
pulumi_on_path() {
  local want=$1 candidate
  candidate=$(PATH=$(tr ':' '\n' <<<"$PATH" | grep -vxF "$tools/bin" | paste -sd:) command -v pulumi || true)
  [[ -n $candidate ]] && [[ $("$candidate" version 2>/dev/null) == "v$want" ]] && printf '%s\n' "$candidate"
}

# Places binary $1 in .tools/libexec, hard-linked when the cache shares the file
# system. A copy, not a symlink: the CLI looks for its language host beside its
# own resolved path.
place() {
  local dst="$tools/libexec/$(basename "$1")"
  [[ $dst -ef $1 ]] || ln -f "$1" "$dst" 2>/dev/null || cp -f "$1" "$dst"
}

command -v go >/dev/null || die "Go is not installed; this toolchain is built from Go modules"
command -v node >/dev/null || die "Node.js is not installed"
[[ -d $root/node_modules/@pulumi/pulumi ]] || die "node_modules is missing: run 'npm ci' first"

pulumi_version=$(npm_pin @pulumi/pulumi)
cli_module_version=$(go_pin pulumi github.com/pulumi/pulumi/pkg/v3)
[[ $cli_module_version == "v$pulumi_version" ]] ||
  die "tools/pulumi/go.mod builds $cli_module_version but package.json pins @pulumi/pulumi $pulumi_version; update one to match the other"

mkdir -p "$tools/bin" "$tools/libexec" "$tools/home"

pulumi_bin=$(pulumi_on_path "$pulumi_version") ||
  pulumi_bin=$(build_tool pulumi "$pulumi_version" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$pulumi_version" 5)
place "$pulumi_bin"

host_version=$(go_pin pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3)
host_bin=$(build_tool pulumi-language-nodejs "${host_version#v}" \
  "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$host_version" 1)
place "$host_bin"
ln -sfn ../libexec/pulumi-language-nodejs "$tools/bin/pulumi-language-nodejs"

if ! cmp -s "$root/tools/pulumi-wrapper.sh" "$tools/bin/pulumi"; then
  install -m 0755 "$root/tools/pulumi-wrapper.sh" "$tools/bin/pulumi"
fi
if ! cmp -s "$root/tools/pulumi-resource-pulumi-nodejs.sh" "$tools/libexec/pulumi-resource-pulumi-nodejs"; then
  install -m 0755 "$root/tools/pulumi-resource-pulumi-nodejs.sh" "$tools/libexec/pulumi-resource-pulumi-nodejs"
fi
pulumi="$tools/bin/pulumi"

bash "$root/tools/plugins.sh" "$pulumi" "$cache" "$tools/missing-plugins"
"$root/tools/dev-stack.sh" "$pulumi"
