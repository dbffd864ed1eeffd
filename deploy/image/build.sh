#!/usr/bin/env bash
# Builds the ErieCanal.Orleans image (deploy/image/Dockerfile) into an OCI archive with buildah, from the apps
# published on this machine. Without --base the base is the local Debian bookworm + .NET runtime image base.sh
# makes once and caches; with --base any image buildah can read (e.g. mcr.microsoft.com/dotnet/aspnet:10.0 where
# a registry is reachable, or oci-archive:/path).
#
#   deploy/image/build.sh [--output FILE] [--tag NAME:TAG] [--base IMAGE] [--cache DIR] [--no-build]
#       FILE defaults to artifacts/erie-canal-orleans.oci.tar; NAME:TAG to
#       ghcr.io/erie-canal/erie-canal-orleans:<appVersion of charts/erie-canal-orleans/Chart.yaml>, written as the
#       archive's org.opencontainers.image.ref.name. Prints the archive's path and name:tag on its last line.
#       --no-build publishes what a Release build already made (as tests do, beside their own build).
#   deploy/image/build.sh --context DIR
#       only publishes the apps into DIR (DIR/silo, DIR/dataplane): the build context for
#       `docker build -f deploy/image/Dockerfile DIR` (see docs/image.md).
#
# Needs root and buildah (and base.sh's mmdebstrap without --base); version and revision come from the git tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
app_version=$(awk -F'"' '/^appVersion:/ {print $2}' "$repo/charts/erie-canal-orleans/Chart.yaml")
output="$repo/artifacts/erie-canal-orleans.oci.tar"
tag="ghcr.io/erie-canal/erie-canal-orleans:${app_version}"
base=""
context_only=""
no_build=()
cache="${ERIE_CANAL_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/erie-canal-orleans/image}"

while [ $# -gt 0 ]; do
  case "$1" in
    --output) output="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    --cache) cache="$2"; shift 2 ;;
    --context) context_only="$2"; shift 2 ;;
    --no-build) no_build=(--no-build); shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done

die() { echo "build.sh: $*" >&2; exit 1; }
command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is not installed"
[ -n "$app_version" ] || die "no appVersion in charts/erie-canal-orleans/Chart.yaml"
started=$(date +%s)

# The version is the chart's appVersion (the tag the chart pulls); the revision the commit, marked when the tree differs.
version="$app_version"
revision=$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)
if [ "$revision" != unknown ] && [ -n "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  revision="$revision-dirty"
fi
source_url=$(git -C "$repo" remote get-url origin 2>/dev/null || true)
case "$source_url" in
  https://*) ;;
  *) source_url=https://github.com/erie-canal/erie-canal-orleans ;;
esac

# Framework-dependent publishes (the runtime is the base's); no apphost, the image starts them with `dotnet`.
publish() {
  local into="$1"
  rm -rf "$into/silo" "$into/dataplane"
  for app in Silo:silo DataPlane:dataplane; do
    dotnet publish "$repo/src/${app%%:*}/${app%%:*}.csproj" -c Release --nologo -v quiet "${no_build[@]}" \
      -p:UseAppHost=false -o "$into/${app##*:}" >&2 \
      || die "dotnet publish src/${app%%:*} failed"
  done
  # The sandbox is a test tool: it must never ship.
  if find "$into" -name 'ErieCanal.Orleans.Sandbox*' | grep -q .; then
    die "the published apps hold ErieCanal.Orleans.Sandbox: a production project references the sandbox"
  fi
}

if [ -n "$context_only" ]; then
  mkdir -p "$context_only"
  publish "$context_only"
  cp "$here/Dockerfile" "$context_only/Dockerfile"
  echo "build.sh: build context in $context_only (version $version, revision $revision)" >&2
  exit 0
fi

[ "$(id -u)" = 0 ] || die "must run as root (buildah's vfs storage with chroot isolation); or use --context with docker/podman"
command -v buildah >/dev/null 2>&1 || die "buildah is not installed (apt-get install -y buildah)"

if [ -z "$base" ]; then
  base=$("$here/base.sh" --cache "$cache" | tail -1 | cut -d' ' -f1)
fi

mkdir -p "$cache" "$(dirname "$output")"
# One build at a time per cache: the buildah storage is shared by every build that uses it.
exec 9>"$cache/build.lock"
flock 9

context=$(mktemp -d "$cache/context.XXXXXX")
storage=(--storage-driver vfs --root "$cache/storage" --runroot "$cache/run")
work_tag="localhost/erie-canal-orleans-build:$(basename "$context" | cut -d. -f2 | tr 'A-Z' 'a-z')"
cleanup() {
  # The image lives on in the archive; in the storage only the base stays (vfs keeps every layer as a full copy).
  buildah "${storage[@]}" rmi --force "$work_tag" >/dev/null 2>&1 || true
  buildah "${storage[@]}" rmi --prune >/dev/null 2>&1 || true
  rm -rf "$context"
}
trap cleanup EXIT

publish "$context"
buildah "${storage[@]}" build --quiet --isolation chroot --pull=never --layers=false \
  -f "$here/Dockerfile" \
  --build-arg BASE="$base" \
  --build-arg VERSION="$version" \
  --build-arg REVISION="$revision" \
  --build-arg SOURCE="$source_url" \
  -t "$work_tag" "$context" >&2 || die "buildah build failed"

# The archive names the image by the tag the chart pulls, so a runtime can be handed it by name:tag.
rm -f "$output.partial"
buildah "${storage[@]}" push --quiet "$work_tag" "oci-archive:$output.partial:$tag" >&2 || die "buildah push to $output failed"
mv "$output.partial" "$output"
echo "build.sh: $tag in $output ($(du -m "$output" | cut -f1) MB, $(( $(date +%s) - started )) s)" >&2
echo "$output $tag"
