#!/usr/bin/env bash
# Builds the two images the MCS API conformance suite (kubernetes-sigs/mcs-api conformance/) runs, under the names
# the suite uses, from Debian bookworm packages (mmdebstrap + buildah, as deploy/image/base.sh does) because no
# registry can be reached here. Cached by content: a rerun with the same script and packages only copies the archive.
#
#   deploy/conformance-images/build.sh --image netshoot|socat [--output FILE] [--cache DIR]
#       netshoot -> nicolaka/netshoot:v0.15 (the request pod: sh, sleep, nslookup, dig, nc -v -w -4 -6, grep, awk,
#                   tail, curl); socat -> alpine/socat:1.7.4.4 (the hello pods: sh, socat 1.7.4.4, grep, tr, awk).
#       FILE defaults to artifacts/conformance-<image>.oci.tar. Prints "<archive> <name:tag>" on its last line.
#   deploy/conformance-images/build.sh --image netshoot|socat --key
#       only prints the cache key (what the test fixture caches by).
#
# Needs root, mmdebstrap (and Debian's package mirror, deb.debian.org, on a cold cache) and buildah.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
suite=bookworm
image=""
output=""
key_only=""
cache="${ERIE_CANAL_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/erie-canal-orleans/image}"

while [ $# -gt 0 ]; do
  case "$1" in
    --image) image="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --cache) cache="$2"; shift 2 ;;
    --key) key_only=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done

die() { echo "conformance-images/build.sh: $*" >&2; exit 1; }

# The essential variant brings dash, coreutils (sleep, echo, tail, tr), grep and sed; each image adds what its pod runs.
case "$image" in
  netshoot)
    # bind9-dnsutils: BIND's nslookup (the output the suite's regexes parse) and dig; netcat-openbsd: nc -v -w -4 -6.
    packages=bind9-dnsutils,netcat-openbsd,mawk,curl,ca-certificates
    tag=nicolaka/netshoot:v0.15
    ;;
  socat)
    # Debian bookworm's socat is 1.7.4.4, the version the suite's image carries.
    packages=socat,mawk
    tag=alpine/socat:1.7.4.4
    ;;
  *) die "--image netshoot|socat" ;;
esac

# Everything that shapes the image goes into its key, so a change to any of it makes a new one.
key=$( { cat "$0"; echo "$suite $image $packages $tag"; } | sha256sum | cut -c1-12)
if [ -n "$key_only" ]; then
  echo "$key"
  exit 0
fi

[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap and buildah's vfs storage write files owned by other users)"
for tool in mmdebstrap buildah; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (apt-get install -y mmdebstrap buildah)"
done

output="${output:-$repo/artifacts/conformance-$image.oci.tar}"
archive="$cache/conformance-$image-$suite-$key.oci.tar"
storage=(--storage-driver vfs --root "$cache/storage" --runroot "$cache/run")
started=$(date +%s)
mkdir -p "$cache" "$(dirname "$output")"

# One build per image at a time per cache (parallel test processes share it); the second finds the first's archive.
exec 9>"$cache/conformance-$image.lock"
flock 9
if [ ! -s "$archive" ]; then
  work=$(mktemp -d "$cache/conformance-work.XXXXXX")
  work_tag="localhost/erie-canal-orleans-conformance-$image:$key"
  cleanup() {
    # The image lives on in the archive; nothing of it needs to stay in the storage (vfs keeps full copies).
    buildah "${storage[@]}" rmi --force "$work_tag" >/dev/null 2>&1 || true
    rm -rf "$work"
  }
  trap cleanup EXIT
  echo "conformance-images/build.sh: building $tag from Debian $suite ($packages; first time only)" >&2

  # Documentation and translations left out; the merged-usr hook keeps the usrmerge package (and perl) out.
  mmdebstrap --variant=essential --include="$packages" --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='rm -rf "$1/var/cache/"* "$1/var/log/"*' \
    "$suite" "$work/rootfs.tar" > "$work/mmdebstrap.log" 2>&1 \
    || { cat "$work/mmdebstrap.log" >&2; die "mmdebstrap failed (it needs Debian's package mirror, deb.debian.org)"; }

  # One layer; no entrypoint, so the pod's command and args are what runs (the suite gives both).
  container=$(buildah "${storage[@]}" from --quiet scratch)
  buildah "${storage[@]}" add --quiet "$container" "$work/rootfs.tar" / >/dev/null
  buildah "${storage[@]}" config \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --entrypoint '[]' --cmd '["/bin/sh"]' \
    --os linux --arch "$(dpkg --print-architecture)" \
    "$container"
  buildah "${storage[@]}" commit --quiet --rm "$container" "$work_tag" >/dev/null
  # The archive names the image by the suite's name:tag, so the sandbox can be handed it by that name.
  buildah "${storage[@]}" push --quiet "$work_tag" "oci-archive:$work/image.oci.tar:$tag" >/dev/null \
    || die "buildah push failed"
  mv "$work/image.oci.tar" "$archive"
fi

if [ "$output" != "$archive" ]; then
  rm -f "$output.partial"
  cp "$archive" "$output.partial"
  mv "$output.partial" "$output"
fi
echo "conformance-images/build.sh: $tag in $output ($(du -m "$output" | cut -f1) MB, $(( $(date +%s) - started )) s)" >&2
echo "$output $tag"
