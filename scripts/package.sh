#!/usr/bin/env bash
# `npm run package`: the library as an npm package, assembled in
# build/package/ and packed beside it as build/clipper-swarm-VERSION.tgz.
# It holds the component's TypeScript sources (which its provider reads its
# schema from) with their tsconfig, the compiled JavaScript, type
# declarations and remote scripts in dist/, and the component provider's
# launcher. Its dependencies are the packages the sources import, at the
# versions this repository pins, and TypeScript for the provider's schema.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build/package"
rm -rf "$out"
mkdir -p "$out"
cd "$root/components"
cp -r ./. "$out/"
rm -rf "$out/remote/scripts"
node "$root/build/bin/package-manifest.js" >"$out/package.json"
cd "$out"
"$root/node_modules/.bin/tsc" -p tsconfig.json
cp -r "$root/components/remote/scripts" dist/remote/scripts
npm pack --silent --pack-destination "$root/build" >/dev/null
echo "package: $(ls "$root"/build/clipper-swarm-*.tgz)"
