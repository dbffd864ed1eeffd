#!/usr/bin/env bash
# Makes the local base image the Dockerfile's BASE points at where Microsoft's images cannot be pulled: a small
# Debian bookworm root filesystem (mmdebstrap) plus the .NET runtime of this machine's SDK, laid out as Microsoft's
# aspnet image lays it out (/usr/share/dotnet, dotnet on PATH, user app 1654). Cached by content: a rerun with the
# same script, packages and runtime only prints the archive's path.
#
#   deploy/image/base.sh [--cache DIR]
#       prints, on its last line, the base's name in the buildah storage under DIR (what build.sh gives as BASE)
#       and the path of its OCI archive (for any other tool: oci-archive:PATH).
#
# Needs root, mmdebstrap, buildah and dotnet (the runtime is copied from `dotnet --list-runtimes`).
set -euo pipefail

suite=bookworm
packages=libicu72,libssl3,ca-certificates,tzdata
cache="${ERIE_CANAL_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/erie-canal-orleans/image}"

while [ $# -gt 0 ]; do
  case "$1" in
    --cache) cache="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "base.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done

die() { echo "base.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap and buildah's vfs storage write files owned by other users)"
for tool in mmdebstrap buildah dotnet; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (apt-get install -y mmdebstrap buildah; dotnet from the .NET SDK)"
done

# The runtime the publish targets: the newest 10.x Microsoft.NETCore.App, with the ASP.NET Core runtime of the same version.
runtime=$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" && $2 ~ /^10\./ {print $2}' | sort -V | tail -1)
[ -n "$runtime" ] || die "no Microsoft.NETCore.App 10.x runtime in \`dotnet --list-runtimes\`"
dotnet --list-runtimes | grep -q "^Microsoft.AspNetCore.App $runtime " || die "no Microsoft.AspNetCore.App $runtime beside Microsoft.NETCore.App $runtime"
dotnet_root=$(dotnet --list-runtimes | awk -v v="$runtime" '$1 == "Microsoft.NETCore.App" && $2 == v {print $3}' | tr -d '[]')
dotnet_root=$(dirname "$(dirname "$dotnet_root")")
[ -x "$dotnet_root/dotnet" ] && [ -d "$dotnet_root/host/fxr/$runtime" ] || die "no dotnet host or host/fxr/$runtime under $dotnet_root"

# Everything that shapes the base goes into its key, so a change to any of it makes a new one.
key=$( { cat "$0"; echo "$suite $packages $runtime"; } | sha256sum | cut -c1-12)
archive="$cache/base-$suite-dotnet$runtime-$key.oci.tar"
name="localhost/erie-canal-orleans-base:$suite-dotnet$runtime-$key"
storage=(--storage-driver vfs --root "$cache/storage" --runroot "$cache/run")

# The archive is the cache; the storage copy is what builds read (a second pull from the archive costs a minute).
ensure_in_storage() {
  if ! buildah "${storage[@]}" inspect --type image "$name" >/dev/null 2>&1; then
    buildah "${storage[@]}" tag "$(buildah "${storage[@]}" pull --quiet "oci-archive:$archive")" "$name"
  fi
  echo "$name $archive"
}

mkdir -p "$cache"
# One build at a time per cache (parallel test processes share it); the second finds the first's archive.
exec 9>"$cache/base.lock"
flock 9
if [ -s "$archive" ]; then
  ensure_in_storage
  exit 0
fi
work=$(mktemp -d "$cache/base-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "base.sh: building the $suite base with .NET $runtime (first time only; a few minutes)" >&2

# The runtime as Microsoft's images carry it: host, fxr and the two shared frameworks, nothing of the SDK.
runtime_dir="$work/dotnet"
mkdir -p "$runtime_dir/host/fxr" "$runtime_dir/shared/Microsoft.NETCore.App" "$runtime_dir/shared/Microsoft.AspNetCore.App"
cp -a "$dotnet_root/dotnet" "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$runtime_dir/"
cp -a "$dotnet_root/host/fxr/$runtime" "$runtime_dir/host/fxr/"
cp -a "$dotnet_root/shared/Microsoft.NETCore.App/$runtime" "$runtime_dir/shared/Microsoft.NETCore.App/"
cp -a "$dotnet_root/shared/Microsoft.AspNetCore.App/$runtime" "$runtime_dir/shared/Microsoft.AspNetCore.App/"

# The essential variant (no apt, no package lists) with the libraries .NET loads; documentation and translations
# left out. The merged-usr hook lays out /usr itself, so the usrmerge package (and the perl it pulls, 50 MB) stays
# out. The user matches Microsoft's images: app, uid and gid 1654, so one chart works on either base.
mmdebstrap --variant=essential --include="$packages" --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='echo "app:x:1654:1654::/home/app:/usr/sbin/nologin" >> "$1/etc/passwd"' \
  --customize-hook='echo "app:x:1654:" >> "$1/etc/group"' \
  --customize-hook='echo "app:*:20000:0:99999:7:::" >> "$1/etc/shadow"' \
  --customize-hook='install -d -o 1654 -g 1654 -m 0750 "$1/home/app"' \
  --customize-hook="copy-in $runtime_dir /usr/share" \
  --customize-hook='ln -s /usr/share/dotnet/dotnet "$1/usr/bin/dotnet"' \
  --customize-hook='rm -rf "$1/var/cache/"* "$1/var/log/"*' \
  "$suite" "$work/rootfs.tar" > "$work/mmdebstrap.log" 2>&1 \
  || { cat "$work/mmdebstrap.log" >&2; die "mmdebstrap failed (it needs Debian's package mirror, deb.debian.org)"; }

# Into an image: one layer, the environment Microsoft's aspnet image sets.
container=$(buildah "${storage[@]}" from --quiet scratch)
buildah "${storage[@]}" add --quiet "$container" "$work/rootfs.tar" / >/dev/null
buildah "${storage[@]}" config \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env APP_UID=1654 \
  --env ASPNETCORE_HTTP_PORTS=8080 \
  --env DOTNET_RUNNING_IN_CONTAINER=true \
  --env DOTNET_VERSION="$runtime" \
  --env ASPNET_VERSION="$runtime" \
  --os linux --arch "$(dpkg --print-architecture)" \
  "$container"
buildah "${storage[@]}" commit --quiet --rm "$container" "$name" >/dev/null
buildah "${storage[@]}" push --quiet "$name" "oci-archive:$work/base.oci.tar:$name" >/dev/null
mv "$work/base.oci.tar" "$archive"
ensure_in_storage
