#!/usr/bin/env bash
# Installs the resource plugin of each provider that package.json pins, at
# exactly the pinned version, into the plugin folder of the `pulumi` given:
#   1. from a binary of that version in the tool cache, where one is there;
#   2. otherwise by Pulumi's own plugin download (its release site, or whatever
#      PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES points it at);
#   3. otherwise it says which plugin, which version and where to put a binary,
#      and lists the plugin in MISSING_FILE for the tests and `npm run up`.
# Usage: plugins.sh PULUMI CACHE_DIR MISSING_FILE
set -euo pipefail
pulumi=$1 cache=$2 missing=$3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The providers whose plugins the program needs, by npm package.
providers=(command:@pulumi/command docker:@pulumi/docker)

# A download that has not answered by then is treated as unreachable.
download_limit=${CLIPPER_PLUGIN_DOWNLOAD_SECONDS:-120}

# shellcheck source=common.sh
source "$root/tools/common.sh"

# The version that the provider binary $1 reports in its schema.
binary_version() {
  "$pulumi" package get-schema "$1" 2>/dev/null | node -e \
    'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{try{console.log(JSON.parse(s).version??"")}catch{console.log("")}})'
}

# The last line of what the download said: Pulumi's own reason.
last_line() { sed '/^[[:space:]]*$/d' | tail -n 1; }

installed=$("$pulumi" plugin ls 2>/dev/null | awk '$2 == "resource" { print $1 "@" $3 }')
: >"$missing"
for provider in "${providers[@]}"; do
  name=${provider%%:*}
  version=$(npm_pin "${provider#*:}")
  grep -qxF "$name@$version" <<<"$installed" && continue
  bin="$cache/pulumi-resource-$name-$version/pulumi-resource-$name"
  if [[ -x $bin ]]; then
    reported=$(binary_version "$bin")
    if [[ $reported == "$version" ]]; then
      out=$("$pulumi" plugin install resource "$name" "$version" --file "$bin" 2>&1) || {
        printf '%s\n' "$out" >&2
        exit 1
      }
      say "installed plugin $name $version from $bin"
      continue
    fi
    say "ignoring $bin: it reports version '${reported:-none}', not $version"
  fi
  say "downloading plugin $name $version"
  # The name is the official package's, so the Pulumi Registry has nothing to add
  # to the download; asking it costs 7 s where it cannot be reached.
  if out=$(PULUMI_DISABLE_REGISTRY_RESOLVE=true timeout "$download_limit" \
    "$pulumi" plugin install resource "$name" "$version" 2>&1); then
    say "installed plugin $name $version by download"
    continue
  fi
  reason=$(last_line <<<"$out")
  [[ -n $reason ]] || reason="no answer within $download_limit s"
  printf '%s %s: not in the cache and not downloadable (%s); place a pulumi-resource-%s %s binary at %s\n' \
    "$name" "$version" "$reason" "$name" "$version" "$bin" >>"$missing"
  say "plugin $name $version is not available: $reason"
  say "  place a pulumi-resource-$name binary of version $version at $bin and run setup again"
done
[[ -s $missing ]] || rm -f "$missing"
