# shellcheck shell=bash
# Building, caching and importing the lab images; sourced by lab.sh.

# shellcheck source=host-image.sh
. "$LAB_DIR/host-image.sh"

# host_image RELEASE: the image of that release's hosts, tagged with a hash of
# its recipe (the shared part and the release's own).
host_image() {
  echo "clipper-lab/host:debian$1-$(cat "$LAB_DIR/host-image.sh" "$LAB_DIR/host-debian$1.sh" | sha256sum | cut -c1-12)"
}

# load_release RELEASE: HOST_SUITE and HOST_RELEASE_PACKAGES of that release.
load_release() {
  # shellcheck source=host-debian12.sh
  . "$LAB_DIR/host-debian$1.sh"
}

# ensure_host_image RELEASE: that release's image, built or imported if missing.
ensure_host_image() {
  local release=$1 image name
  image=$(host_image "$release")
  docker image inspect "$image" >/dev/null 2>&1 && return
  load_release "$release"
  name=host-${image#clipper-lab/host:}   # host-debianR-HASH
  [ -f "$LAB_CACHE/$name.tar" ] || build_host_tarball "$name"
  log "importing $image"
  docker import \
    --change 'CMD ["/sbin/init"]' \
    --change 'ENV container=docker' \
    "$LAB_CACHE/$name.tar" "$image-rootfs" >/dev/null
  # The engine (Debian's 20.10) refuses STOPSIGNAL in import --change; one
  # registry-free legacy build step adds it. SIGRTMIN+3 is systemd's
  # "halt cleanly".
  printf 'FROM %s\nSTOPSIGNAL SIGRTMIN+3\n' "$image-rootfs" |
    DOCKER_BUILDKIT=0 docker build -q -t "$image" - >/dev/null 2>&1 ||
    die "could not finish $image"
  docker rmi "$image-rootfs" >/dev/null
}

# The Debian mirror this machine's apt uses, so the lab fetches from the same
# place the machine's own packages come from: the source of the suite asked
# for, else the source of the machine's own release (a Debian mirror serves
# every release).
debian_mirror() {
  local own suite uri=
  # The machine's own file, not the lab's: without this, the file-wide
  # source=host-image.sh above would be taken to be sourced here.
  # shellcheck source=/dev/null
  own=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  for suite in "$HOST_SUITE" ${own:+"$own"}; do
    uri=$(awk -v suite="$suite" '
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite && uri != "") { print uri; exit } }
      /^$/ { uri = "" }' /etc/apt/sources.list.d/*.sources 2>/dev/null)
    [ -n "$uri" ] || uri=$(awk -v suite="$suite" '$1 == "deb" && $3 == suite { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
    [ -z "$uri" ] || break
  done
  [ -n "$uri" ] || { log "no Debian $HOST_SUITE${own:+ or $own} source in this machine's apt configuration"; exit 1; }
  printf '%s\n' "$uri"
}

# build_host_tarball NAME: the loaded release's root file system as $LAB_CACHE/NAME.tar.
build_host_tarball() {
  local tar=$LAB_CACHE/$1.tar start=$SECONDS
  local build=$LAB_STATE/build/$1
  local root=$build/rootfs buildlog=$LAB_STATE/build/$1.log
  local packages=("${HOST_PACKAGES[@]}" "${HOST_RELEASE_PACKAGES[@]}")
  log "building the $HOST_SUITE host image (once per recipe, ~1-2 min; log: $buildlog)"
  build_cleanup "$build"
  mkdir -p "$root" "$LAB_CACHE/debs"
  # Debs are cached apart from the tarball so a recipe change rebuilds
  # without downloading everything again.
  if ! debootstrap --variant=minbase --cache-dir="$LAB_CACHE/debs" \
      --include="$(IFS=,; echo "${packages[*]}")" \
      "$HOST_SUITE" "$root" "$(debian_mirror)" >"$buildlog" 2>&1; then
    log "debootstrap failed; last lines of $buildlog:"
    tail -n 20 "$buildlog" >&2
    [ -f "$root/debootstrap/debootstrap.log" ] && tail -n 20 "$root/debootstrap/debootstrap.log" >&2
    build_cleanup "$build"
    exit 1
  fi
  host_configure "$root" >>"$buildlog" 2>&1
  build_unmount "$root"
  tar --numeric-owner -C "$root" \
    --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
    --exclude='./run/*' --exclude='./tmp/*' \
    -cf "$tar.tmp" .
  mv "$tar.tmp" "$tar"
  build_cleanup "$build"
  log "$HOST_SUITE host image built in $((SECONDS - start)) s ($(du -h "$tar" | cut -f1))"
}

# A build that was interrupted may have left debootstrap's mounts behind;
# never rm -rf through them.
build_unmount() {
  local m
  # shellcheck disable=SC2013  # one field per line, and /proc/mounts escapes blanks: words are lines
  for m in $(awk -v r="$1" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
}
build_cleanup() {
  [ -d "$1" ] || return 0
  build_unmount "$1"
  rm -rf "$1"
}

# A registry-free probe: Debian's static busybox with one link per applet.
ensure_probe_image() {
  docker image inspect "$PROBE_IMAGE" >/dev/null 2>&1 && return
  log "building probe image $PROBE_IMAGE"
  local dir applet
  dir=$(mktemp -d)
  mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/root"
  cp /bin/busybox "$dir/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$dir/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
  chmod 1777 "$dir/tmp"
  tar --numeric-owner --owner=0 --group=0 -C "$dir" -cf - . |
    docker import --change 'CMD ["sh"]' --change 'ENV PATH=/bin' - "$PROBE_IMAGE" >/dev/null
  rm -rf "$dir"
}
