#!/usr/bin/env bash
# Builds, once, everything `minikube start` would otherwise download, none of it from a container
# registry, all under $CACHE_DIR, keyed by version:
#  - minikube and its storage-provisioner, from the k8s.io/minikube module (as the main module);
#  - kubelet, kubectl and the control-plane binaries (scripts/cluster/build.sh, shared with cluster:up),
#    plus kubeadm built the same way; etcd, CoreDNS and crictl from their Go modules;
#  - the node image (--base-image), from Debian packages (scripts/minikube/node/);
#  - the images kubeadm and the storage-provisioner addon run, under the names they ask for,
#    saved as tarballs where minikube looks before pulling.
# Then lays the binaries and image tarballs into minikube's cache ($MINIKUBE_HOME/cache).
# Prints the node image's name on its last line.
source "$(dirname "$0")/common.sh"

K8S_VERSION=v$(cfg versions.kubernetes | sed 's/^v//')
CLUSTER_CACHE=${TODO_CLUSTER_CACHE:-/var/cache/todo-cluster}
K8S_BIN=$CLUSTER_CACHE/kubernetes-$K8S_VERSION/bin   # what scripts/cluster/build.sh builds
PAUSE_BIN=$CLUSTER_CACHE/pause/pause
DOCKER=${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker )}
SUITE=bookworm
BASE_IMAGE=todo-minikube/debian:$SUITE
NODE_IMAGE=todo-minikube/node:$MINIKUBE_VERSION
LABEL_KEY=org.todo.minikube.recipe
ARCH=amd64

for tool in go gcc "$DOCKER"; do command -v "$tool" >/dev/null || die "$tool not found: bash scripts/setup/system-packages.sh"; done
"$DOCKER" info >/dev/null 2>&1 || die "the Docker Engine does not answer: start dockerd"
missing=()
for t in debootstrap jq; do command -v $t >/dev/null || missing+=("$t"); done
if ((${#missing[@]})); then
  step "installing ${missing[*]} (Debian)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi
mkdir -p "$CACHE_DIR"

# go_build NAME OUT LOG CMD... : runs a build in the background at low priority, reporting progress
go_build() {
  local name=$1 out=$2 log=$3 start=$SECONDS pid; shift 3
  step "$name: building (log: $log)"
  (nice -n 10 "$@" >"$log" 2>&1) &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 30
    kill -0 "$pid" 2>/dev/null && step "$name: still building ($((SECONDS - start)) s)"
  done
  wait "$pid" && [ -x "$out" ] || die "$name build failed (see $log)"
  step "$name: built in $((SECONDS - start)) s"
}

# ---- Go binaries -----------------------------------------------------------------------------
build_minikube() {
  local dir=$CACHE_DIR/minikube-$MINIKUBE_VERSION
  if [ -x "$dir/minikube" ]; then step "minikube $MINIKUBE_VERSION: cached"; return; fi
  mkdir -p "$dir"
  if [ ! -s "$dir/src/go.mod" ]; then
    local moddir
    moddir=$(go mod download -json "k8s.io/minikube@$MINIKUBE_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    [ -d "$moddir" ] || die "go mod download k8s.io/minikube@$MINIKUBE_VERSION failed: is the Go module proxy reachable?"
    # its own replace directives only apply when it is the main module: build from a writable copy
    rm -rf "$dir/src" && cp -r "$moddir" "$dir/src" && chmod -R u+w "$dir/src"
  fi
  local ld="-s -w -X k8s.io/minikube/pkg/version.version=$MINIKUBE_VERSION -X k8s.io/minikube/pkg/version.isoVersion=$MINIKUBE_VERSION"
  ld+=" -X k8s.io/minikube/pkg/version.storageProvisionerVersion=$STORAGE_PROVISIONER_TAG"
  go_build "minikube $MINIKUBE_VERSION (about 10 min on 2 cores)" "$dir/minikube" "$dir/build.log" \
    env -C "$dir/src" CGO_ENABLED=0 go build -trimpath -ldflags "$ld" -o "$dir/minikube" ./cmd/minikube
}

# -checklinkname=0: that release's golang.org/x/net reaches into syscall by linkname, which newer Go
# linkers refuse unless told.
build_storage_provisioner() {
  local dir=$CACHE_DIR/storage-provisioner-$STORAGE_PROVISIONER_TAG
  if [ -x "$dir/storage-provisioner" ]; then step "storage-provisioner $STORAGE_PROVISIONER_TAG: cached"; return; fi
  mkdir -p "$dir"
  if [ ! -s "$dir/src/go.mod" ]; then
    local moddir
    moddir=$(go mod download -json "k8s.io/minikube@$STORAGE_PROVISIONER_FROM" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    [ -d "$moddir" ] || die "go mod download k8s.io/minikube@$STORAGE_PROVISIONER_FROM failed"
    rm -rf "$dir/src" && cp -r "$moddir" "$dir/src" && chmod -R u+w "$dir/src"
  fi
  go_build "storage-provisioner $STORAGE_PROVISIONER_TAG (from minikube $STORAGE_PROVISIONER_FROM)" "$dir/storage-provisioner" "$dir/build.log" \
    env -C "$dir/src" CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -checklinkname=0 -X k8s.io/minikube/pkg/storage.version=$STORAGE_PROVISIONER_TAG" \
      -o "$dir/storage-provisioner" ./cmd/storage-provisioner
}

# kubeadm: the same wrapper module scripts/cluster/build.sh uses (k8s.io/kubernetes with each staging
# module replaced by its published v0.X.Y), so most packages come from the Go build cache.
build_kubeadm() {
  local dir=$CACHE_DIR/kubeadm-$K8S_VERSION staging=v0.${K8S_VERSION#v1.}
  if [ -x "$dir/kubeadm" ]; then step "kubeadm $K8S_VERSION: cached"; return; fi
  mkdir -p "$dir/wrapper"
  local modfile
  modfile=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
  [ -s "$modfile" ] || die "go mod download k8s.io/kubernetes@$K8S_VERSION failed"
  {
    echo "module todo.local/kubeadm-build"; echo
    grep -m1 '^go ' "$modfile"; echo
    echo "require k8s.io/kubernetes $K8S_VERSION"; echo
    echo "replace ("
    sed -n 's#^\t\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$staging"'#p' "$modfile" | grep -v '/sample-'
    echo ")"
  } >"$dir/wrapper/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "k8s.io/kubernetes/cmd/kubeadm"\n' >"$dir/wrapper/tools.go"
  (cd "$dir/wrapper" && go mod tidy >"$dir/tidy.log" 2>&1) || die "go mod tidy for kubeadm failed (see $dir/tidy.log)"
  local ld="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION"
  ld+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
  ld+=" -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
  ld+=" -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
  go_build "kubeadm $K8S_VERSION" "$dir/kubeadm" "$dir/build.log" \
    env -C "$dir/wrapper" CGO_ENABLED=0 go build -trimpath -ldflags "$ld" -o "$dir/kubeadm" k8s.io/kubernetes/cmd/kubeadm
}

# etcd at the tag kubeadm asks for: its static pod probes /livez and /readyz, which 3.4 lacks.
build_etcd() {
  local v=v${ETCD_TAG%-*} dir
  dir=$CACHE_DIR/etcd-$v
  if [ -x "$dir/etcd" ]; then step "etcd $v: cached"; return; fi
  mkdir -p "$dir/wrapper"
  printf 'module todo.local/etcd-build\n\ngo 1.23\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$v" >"$dir/wrapper/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >"$dir/wrapper/tools.go"
  (cd "$dir/wrapper" && go mod tidy >"$dir/tidy.log" 2>&1) || die "go mod tidy for etcd failed (see $dir/tidy.log)"
  go_build "etcd $v" "$dir/etcd" "$dir/build.log" \
    env -C "$dir/wrapper" CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$dir/etcd" go.etcd.io/etcd/server/v3
}

go_install() { # NAME VERSION PACKAGE@VERSION [LDFLAGS]
  local dir=$CACHE_DIR/$1-$2
  if [ -x "$dir/$1" ]; then step "$1 $2: cached"; return; fi
  mkdir -p "$dir"
  go_build "$1 $2" "$dir/$1" "$dir/build.log" env GOBIN="$dir" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w ${4:-}" "$3"
}

# ---- images ----------------------------------------------------------------------------------
label_of() { "$DOCKER" image inspect -f "{{index .Config.Labels \"$LABEL_KEY\"}}" "$1" 2>/dev/null || true; }

# Debian minbase for the node and for the images that need a userland; apt sources: the machine's own
# mirror for $SUITE and its updates and security suites.
build_base() {
  local rootfs=$CACHE_DIR/rootfs-$SUITE sources recipe
  sources=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' |
    awk -v s="$SUITE" '$3 == "main" && ($2 == s || $2 == s "-updates" || $2 == s "-security") {print "deb " $1 " " $2 " main"}' | sort -u)
  [ -n "$sources" ] || die "no Debian $SUITE mirror in this machine's apt sources (apt-get update first)"
  recipe=$(echo "$sources" | sha256sum | cut -c1-16)
  if [ "$(label_of "$BASE_IMAGE")" = "$recipe" ]; then step "$BASE_IMAGE: cached"; return; fi
  if [ ! -f "$rootfs/.complete" ]; then
    step "debootstrap $SUITE (minbase)"
    rm -rf "$rootfs"
    debootstrap --variant=minbase "$SUITE" "$rootfs" "$(echo "$sources" | awk -v s="$SUITE" '$3 == s {print $2}')" >"$CACHE_DIR/debootstrap.log" 2>&1 ||
      die "debootstrap failed (see $CACHE_DIR/debootstrap.log)"
    touch "$rootfs/.complete"
  fi
  echo "$sources" >"$rootfs/etc/apt/sources.list"
  tar -C "$rootfs" --exclude=./.complete --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/lib/apt/lists/*' \
    --numeric-owner -c . | "$DOCKER" import --change "LABEL $LABEL_KEY=$recipe" - "$BASE_IMAGE" >/dev/null
  step "$BASE_IMAGE: imported"
}

# docker_build IMAGE CONTEXT [build-arg...]: builds when the context (files + args) changed
docker_build() {
  local image=$1 ctx=$2 recipe; shift 2
  recipe=$( { (cd "$ctx" && find . -type f -print0 | sort -z | xargs -0 sha256sum); echo "$*"; "$DOCKER" image inspect -f '{{.Id}}' "$BASE_IMAGE"; } | sha256sum | cut -c1-16)
  if [ "$(label_of "$image")" = "$recipe" ]; then step "$image: cached"; return; fi
  local args=(--label "$LABEL_KEY=$recipe" --build-arg "BASE_IMAGE=$BASE_IMAGE") a
  for a in "$@"; do args+=(--build-arg "$a"); done
  DOCKER_BUILDKIT=1 "$DOCKER" build -q "${args[@]}" -t "$image" "$ctx" >"$CACHE_DIR/build-$(echo "$image" | tr '/:' '__').log" 2>&1 ||
    die "docker build $image failed (see $CACHE_DIR/build-$(echo "$image" | tr '/:' '__').log)"
  step "$image: built"
}

build_node_image() {
  local ctx=$CACHE_DIR/context/node
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp "$MK_DIR/node/"* "$ctx/"
  cp "$CACHE_DIR/crictl-$CRICTL_VERSION/crictl" "$ctx/crictl"
  docker_build "$NODE_IMAGE" "$ctx" "PACKAGES=${NODE_PACKAGES[*]}"
}

# One image per component, named as kubeadm and the addon ask for (upstream names: the node never pulls).
# Static binaries go on an empty root at the path the pod specs run; kube-proxy needs iptables and
# conntrack, so it gets Debian's. component_image NAME BINARY PATH-IN-IMAGE [PACKAGES]
component_image() {
  local name=$1 bin=$2 dest=$3 packages=${4:-} ctx b
  ctx=$CACHE_DIR/context/$(basename "${name%%:*}")
  b=$(basename "$bin")
  rm -rf "$ctx" && mkdir -p "$ctx"
  if [ -n "$packages" ]; then
    cp "$bin" "$ctx/$b"
    cat >"$ctx/Dockerfile" <<DOCKERFILE
ARG BASE_IMAGE
FROM \${BASE_IMAGE}
ARG PACKAGES
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \${PACKAGES} && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
COPY $b $dest
ENTRYPOINT ["$dest"]
DOCKERFILE
    docker_build "$name" "$ctx" "PACKAGES=$packages"
  else
    install -D -m 0755 "$bin" "$ctx/root$dest"
    mkdir -p "$ctx/root/etc" "$ctx/root/tmp" && chmod 1777 "$ctx/root/tmp"
    echo 'nobody:x:65534:65534:nobody:/:/sbin/nologin' >"$ctx/root/etc/passwd"
    cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
COPY root/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENTRYPOINT ["$dest"]
DOCKERFILE
    docker_build "$name" "$ctx"
  fi
}

# image_to_minikube_cache IMAGE: where minikube looks before pulling ($MINIKUBE_HOME/cache/images/<arch>/<name>_<tag>)
image_to_minikube_cache() {
  local image=$1 tar dst id
  id=$("$DOCKER" image inspect -f '{{.Id}}' "$image" | cut -c8-23)
  tar=$CACHE_DIR/images/$(echo "$image" | tr '/:' '__')-$id.tar
  if [ ! -s "$tar" ]; then
    mkdir -p "$CACHE_DIR/images"
    rm -f "$CACHE_DIR/images/$(echo "$image" | tr '/:' '__')"-*.tar   # earlier builds of this image
    "$DOCKER" save -o "$tar.tmp" "$image" && mv "$tar.tmp" "$tar" || die "docker save $image failed"
  fi
  dst=$MINIKUBE_HOME/cache/images/$ARCH/${image/:/_}
  mkdir -p "$(dirname "$dst")"
  ln -f "$tar" "$dst" 2>/dev/null || cp "$tar" "$dst"
}

# ---- run -------------------------------------------------------------------------------------
build_minikube
build_storage_provisioner
bash "$REPO_ROOT/scripts/cluster/build.sh"     # kubelet, kubectl, control plane, pause (cached there)
build_kubeadm
build_etcd
go_install coredns "$COREDNS_VERSION" "github.com/coredns/coredns@$COREDNS_VERSION"
go_install crictl "$CRICTL_VERSION" "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION" "-X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION"

build_base
build_node_image
# the static pods, kube-proxy's DaemonSet and CoreDNS run the command by name (PATH); pause is the
# image's entrypoint; the addon runs /storage-provisioner
for c in kube-apiserver kube-controller-manager kube-scheduler; do
  component_image "registry.k8s.io/$c:$K8S_VERSION" "$K8S_BIN/$c" "/usr/local/bin/$c"
done
component_image "registry.k8s.io/kube-proxy:$K8S_VERSION" "$K8S_BIN/kube-proxy" /usr/local/bin/kube-proxy "${KUBE_PROXY_PACKAGES[*]}"
component_image "registry.k8s.io/etcd:$ETCD_TAG" "$CACHE_DIR/etcd-v${ETCD_TAG%-*}/etcd" /usr/local/bin/etcd
component_image "registry.k8s.io/coredns/coredns:$COREDNS_VERSION" "$CACHE_DIR/coredns-$COREDNS_VERSION/coredns" /coredns
component_image "registry.k8s.io/pause:$PAUSE_TAG" "$PAUSE_BIN" /pause
component_image "gcr.io/k8s-minikube/storage-provisioner:$STORAGE_PROVISIONER_TAG" "$CACHE_DIR/storage-provisioner-$STORAGE_PROVISIONER_TAG/storage-provisioner" /storage-provisioner

step "laying binaries and images into $MINIKUBE_HOME/cache"
bin_dst=$MINIKUBE_HOME/cache/linux/$ARCH/$K8S_VERSION
mkdir -p "$bin_dst"
install -m 0755 "$CACHE_DIR/kubeadm-$K8S_VERSION/kubeadm" "$bin_dst/kubeadm"
install -m 0755 "$K8S_BIN/kubelet" "$bin_dst/kubelet"
install -m 0755 "$K8S_BIN/kubectl" "$bin_dst/kubectl"
for image in kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do
  image_to_minikube_cache "registry.k8s.io/$image:$K8S_VERSION"
done
image_to_minikube_cache "registry.k8s.io/etcd:$ETCD_TAG"
image_to_minikube_cache "registry.k8s.io/coredns/coredns:$COREDNS_VERSION"
image_to_minikube_cache "registry.k8s.io/pause:$PAUSE_TAG"
image_to_minikube_cache "gcr.io/k8s-minikube/storage-provisioner:$STORAGE_PROVISIONER_TAG"
echo "$NODE_IMAGE"
