# Resource plugins for the providers that package.json pins. Sourced by
# tools/setup.sh (uses its say and npm_pin).
#
# Each provider's Go module sits in a subfolder of its repository without tags of
# its own, so it can only be fetched at the commit its release tag points to.
# When a binary of the pinned version is in the cache it is installed; otherwise
# the Go module proxy is asked for that commit and its answer is reported, and
# the plugin is listed in .tools/missing-plugins for the tests and `npm run up`.

# name|npm package|Go module|commit of the release tag
plugin_sources=(
  "command|@pulumi/command|github.com/pulumi/pulumi-command/provider|7f3eb6f3b77cd0fa3895ba437a695dd393f7dd25"
  "docker|@pulumi/docker|github.com/pulumi/pulumi-docker/provider/v5|c2baf6a4997f3f53052ee9284bcf2ef0cf8081ae"
)

# Prints what the JavaScript expression $1 makes of the JSON on standard input
# (named j, null when there is none): a line per item when it is a list.
from_json() {
  node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const j=s.trim()?JSON.parse(s):null;for(const l of [].concat(eval(process.argv[1])??[]))console.log(l)})' "$1"
}

# Why a provider's module cannot be fetched, in the Go command's words.
module_refusal() {
  local module=$1 commit=$2
  # Outside any module, so that the query is the only thing the Go command does.
  (cd / && { go mod download -json "$module@$commit" 2>/dev/null || true; } |
    from_json 'j?.Error?.split("\n").map((l) => l.trim()).join(" ")')
}

install_plugins() {
  local pulumi=$1 cache=$2 missing="$root/.tools/missing-plugins"
  local installed
  installed=$("$pulumi" plugin ls --json 2>/dev/null | from_json '(j ?? []).map((p) => `${p.name}@${p.version}`)')
  : >"$missing"
  local entry name pkg module commit version bin reason
  for entry in "${plugin_sources[@]}"; do
    IFS='|' read -r name pkg module commit <<<"$entry"
    version=$(npm_pin "$pkg")
    grep -qxF "$name@$version" <<<"$installed" && continue
    bin="$cache/pulumi-resource-$name-$version/pulumi-resource-$name"
    if [[ -x $bin ]]; then
      "$pulumi" plugin install resource "$name" "$version" --file "$bin" >/dev/null
      say "installed plugin $name $version"
      continue
    fi
    reason=$(module_refusal "$module" "$commit")
    reason=${reason:-"the module downloads, but no build recipe for it exists yet"}
    printf '%s %s: %s\n' "$name" "$version" "$reason" >>"$missing"
    say "plugin $name $version is not available: $reason"
    say "  a pulumi-resource-$name $version built elsewhere can be placed at $bin"
  done
  [[ -s $missing ]] || rm -f "$missing"
}
