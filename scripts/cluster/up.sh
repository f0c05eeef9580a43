#!/usr/bin/env bash
# npm run cluster:up — a real single-node Kubernetes on this machine, no registry needed:
# Kubernetes built from the Go module proxy (scripts/cluster/build.sh, cached), Debian's
# containerd/runc/CNI plugins/etcd, started by Kubernetes' own hack/local-up-cluster.sh.
# Its own containerd (socket /run/todo-cluster/containerd.sock, root /var/lib/todo-cluster/containerd),
# so Docker's containerd is left alone. Idempotent: when the cluster is up, this returns in seconds.
# Undo with npm run cluster:down.
source "$(dirname "$0")/common.sh"

[ "$(id -u)" = 0 ] || die "must run as root (kubelet, containerd and iptables need it): sudo npm run cluster:up"
[ "$(uname -s)" = Linux ] || die "needs Linux (kubelet runs only there)"

K8S_VERSION=v$(cfg versions.kubernetes | sed 's/^v//')
COREDNS_VERSION=v$(cfg versions.coredns | sed 's/^v//')
K8S_BIN=$CACHE_DIR/kubernetes-$K8S_VERSION/bin
TREE=$CACHE_DIR/kubernetes-$K8S_VERSION/tree   # writable copy of hack/ and cluster/ from the module
KUBECTL=$K8S_BIN/kubectl
COREDNS_IMAGE=registry.k8s.io/coredns/coredns:$COREDNS_VERSION
kc() { "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

cluster_healthy() {
  [ -s "$KUBECONFIG_FILE" ] && [ -x "$KUBECTL" ] || return 1
  local f
  for f in containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy hostpath-chmod; do
    pid_alive "$RUN_DIR/$f.pid" || return 1
  done
  kc get --raw /readyz >/dev/null 2>&1 || return 1
  kc get node 127.0.0.1 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True
}

if cluster_healthy; then
  step "already up: Kubernetes $(kc version -o json 2>/dev/null | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -1), node Ready"
  echo "kubeconfig: $KUBECONFIG_FILE"
  exit 0
fi
if [ -d "$RUN_DIR" ] || [ -s "$STATE_DIR/host-before-up" ]; then
  step "a previous cluster is partly running: stopping it first (npm run cluster:down)"
  bash "$(dirname "$0")/down.sh"
  t0=$(date +%s)
fi

# ---- host packages -------------------------------------------------------------------------
install_packages() {
  local missing=() p name want have
  for p in "${DEBIAN_PACKAGES[@]}"; do
    name=${p%%=*}; want=${p#*=}
    have=$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null || true)
    [ "$have" = "$want" ] || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  step "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || die "apt-get update failed: check the Debian mirror in /etc/apt/sources.list"
  apt-get install -y -q -o DPkg::Lock::Timeout=600 "${missing[@]}" >"$CACHE_DIR/apt.log" 2>&1 ||
    die "apt-get install ${missing[*]} failed (see $CACHE_DIR/apt.log): if Debian moved on, update DEBIAN_PACKAGES in scripts/cluster/common.sh"
}
mkdir -p "$CACHE_DIR"
for tool in gcc go; do command -v $tool >/dev/null || die "$tool not found: bash scripts/setup/system-packages.sh (and apt-get install -y gcc libc6-dev)"; done
install_packages
for tool in iptables ip sysctl openssl curl ss; do command -v $tool >/dev/null || die "$tool not found: apt-get install -y iptables iproute2 procps openssl curl"; done

# ---- binaries and images built once --------------------------------------------------------
bash "$(dirname "$0")/build.sh"

# writable copy of hack/ and cluster/ (module cache files are read-only and lack exec bits)
if [ ! -s "$TREE/.complete" ]; then
  step "preparing hack/local-up-cluster.sh from k8s.io/kubernetes@$K8S_VERSION"
  moddir=$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$moddir/hack" ] || die "k8s.io/kubernetes@$K8S_VERSION not in the Go module cache: is the Go module proxy reachable?"
  rm -rf "$TREE" && mkdir -p "$TREE"
  cp -r "$moddir/hack" "$moddir/cluster" "$TREE/"
  chmod -R u+w "$TREE" && find "$TREE" -name '*.sh' -exec chmod +x {} +
  # CoreDNS: our image name; no upstream resolver reachable, so no `forward` (and no `loop`, which needs it)
  dns=$TREE/cluster/addons/dns/coredns/coredns.yaml.in
  sed -i -e "s#image: registry.k8s.io/coredns/coredns:.*#image: $COREDNS_IMAGE#" \
         -e '/forward \. \/etc\/resolv.conf {/,/^        }/d' -e '/^        loop$/d' "$dns"
  grep -q "image: $COREDNS_IMAGE" "$dns" && ! grep -q 'forward \.' "$dns" || die "could not adapt $dns (the addon manifest changed upstream?)"
  touch "$TREE/.complete"
fi

# shims: no sudo on the machine (we are root); etcd must not see local-up-cluster's ETCD_* variables
mkdir -p "$CACHE_DIR/shims"
cat >"$CACHE_DIR/shims/sudo" <<'SH'
#!/bin/sh
# local-up-cluster.sh calls sudo; we already are root.
while [ $# -gt 0 ]; do case "$1" in -E|-n|--preserve-env) shift ;; *) break ;; esac; done
exec "$@"
SH
cat >"$CACHE_DIR/shims/etcd" <<'SH'
#!/bin/sh
# etcd reads ETCD_* variables as flags and exits on ones it does not know (ETCD_VERSION).
for v in $(env | sed -n 's/^\(ETCD_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
exec /usr/bin/etcd "$@"
SH
chmod +x "$CACHE_DIR/shims/"*

# ---- host state we change, saved once so down can restore it -------------------------------
mkdir -p "$STATE_DIR" "$RUN_DIR" "$LOG_DIR"
if [ ! -s "$SAVED_HOST_STATE" ]; then
  {
    for s in "${SYSCTLS[@]}"; do echo "sysctl $s=$(sysctl -n "$s")"; done
    [ -e /opt/cni/bin/loopback ] || echo "created /opt/cni/bin"
    [ -e /opt/cni ] || echo "created /opt/cni"
    [ -e /var/lib/kubelet ] || echo "created /var/lib/kubelet"
  } >"$SAVED_HOST_STATE"
fi

# local-up-cluster.sh downloads CNI plugins unless /opt/cni/bin/loopback exists: point it at Debian's
if [ ! -e /opt/cni/bin/loopback ]; then
  mkdir -p /opt/cni/bin
  for f in "$CNI_BIN_DIR"/*; do ln -sf "$f" "/opt/cni/bin/$(basename "$f")"; done
fi

# ---- containerd (our own instance) ---------------------------------------------------------
mkdir -p "$CNI_CONF_DIR" "$CONTAINERD_ROOT" "$CONTAINERD_STATE"
cat >"$CNI_CONF_DIR/10-todo-cluster.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "todo-cluster",
  "plugins": [
    { "type": "bridge", "bridge": "$CNI_BRIDGE", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$POD_SUBNET" }]], "routes": [{ "dst": "0.0.0.0/0" }] } },
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "loopback" }
  ]
}
JSON
cat >"$STATE_DIR/containerd.toml" <<TOML
version = 2
root = "$CONTAINERD_ROOT"
state = "$CONTAINERD_STATE"
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = ""
[debug]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Without it every sandbox fails: "runc create failed: ... can't get final child's PID from pipe: EOF"
  # (a negative oom_score_adj needs CAP_SYS_RESOURCE, which this VM does not have).
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$CNI_CONF_DIR"
  # One hosts.toml per registry the node pulls from (read at each pull, so a registry can be added while it runs).
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$REGISTRY_HOSTS_DIR"
TOML
# Air-gapped mode (TODO_REGISTRY, else registry: in todo.config.yaml): the node pulls our images and
# PostgreSQL from that registry, over plain HTTP when it serves no HTTPS (a local registry).
rm -rf "$REGISTRY_HOSTS_DIR" && mkdir -p "$REGISTRY_HOSTS_DIR"
registry=$(cfg registry)
if [ "$registry" != null ]; then
  host=${registry%%/*}
  scheme=https
  curl -fsS -m 5 -o /dev/null "https://$host/v2/" 2>/dev/null || { curl -fsS -m 5 -o /dev/null "http://$host/v2/" 2>/dev/null && scheme=http; }
  mkdir -p "$REGISTRY_HOSTS_DIR/$host"
  printf 'server = "%s://%s"\n\n[host."%s://%s"]\n  capabilities = ["pull", "resolve"]\n' "$scheme" "$host" "$scheme" "$host" >"$REGISTRY_HOSTS_DIR/$host/hosts.toml"
  step "the node pulls from $host ($scheme)"
fi
step "starting containerd ($CONTAINERD_SOCK)"
setsid /usr/bin/containerd --config "$STATE_DIR/containerd.toml" >"$LOG_DIR/containerd.log" 2>&1 </dev/null &
echo $! >"$RUN_DIR/containerd.pid"
for _ in $(seq 50); do ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1 && break; sleep 0.2; done
ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1 || die "containerd did not start: see $LOG_DIR/containerd.log"

# ---- images without a registry: one-layer docker-archive tarballs imported with ctr ---------
# image_tar NAME ROOTFS OUT ENTRYPOINT_JSON
image_tar() {
  local name=$1 rootfs=$2 out=$3 entry=$4 work
  work=$(mktemp -d)
  tar --numeric-owner --owner=0 --group=0 --mtime=@0 --sort=name -C "$rootfs" -cf "$work/layer.tar" .
  local diff cfg
  diff=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":%s,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$entry" "$diff" >"$work/config.json"
  cfg=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  mv "$work/config.json" "$work/$cfg.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$cfg" "$name" >"$work/manifest.json"
  tar -C "$work" -cf "$out" manifest.json "$cfg.json" layer.tar
  rm -rf "$work"
}
import_image() { # NAME BINARY ENTRYPOINT_JSON
  local name=$1 bin=$2 entry=$3
  if ctr_k8s images ls -q | grep -qx "$name"; then return; fi
  local root tarball
  root=$(mktemp -d); tarball=$(mktemp --suffix=.tar)
  install -m 0755 "$bin" "$root/$(basename "$bin")"
  mkdir -p "$root/etc" "$root/tmp" && chmod 1777 "$root/tmp"
  echo 'nobody:x:65534:65534:nobody:/:/sbin/nologin' >"$root/etc/passwd"
  image_tar "$name" "$root" "$tarball" "$entry"
  ctr_k8s images import "$tarball" >/dev/null || die "ctr images import $name failed (see $LOG_DIR/containerd.log)"
  ctr_k8s images label "$name" io.cri-containerd.pinned=pinned >/dev/null 2>&1 || true
  rm -rf "$root" "$tarball"
  step "image $name imported"
}
import_image "$PAUSE_IMAGE" "$CACHE_DIR/pause/pause" '["/pause"]'
import_image "$COREDNS_IMAGE" "$CACHE_DIR/coredns-$COREDNS_VERSION/coredns" '["/coredns"]'

# ---- Kubernetes via hack/local-up-cluster.sh ------------------------------------------------
rm -rf "$STATE_DIR/certs" "$STATE_DIR/etcd" "$STATE_DIR/config"
mkdir -p "$STATE_DIR/certs" "$STATE_DIR/config" "$STATE_DIR/static-pods"
step "starting etcd, kube-apiserver, controller-manager, scheduler, kubelet, kube-proxy, CoreDNS (about 1 min; log: $LOG_DIR/local-up-cluster.log)"
(
  cd "$STATE_DIR/config"
  export PATH="$CACHE_DIR/shims:$K8S_BIN:$PATH"
  export ENABLE_DAEMON=true KUBE_VERBOSE=0 LOG_LEVEL=1 \
    CERT_DIR="$STATE_DIR/certs" LOG_DIR="$LOG_DIR" TMP_DIR="$STATE_DIR/config" \
    ETCD_DIR="$STATE_DIR/etcd" ETCD_VERSION="$ETCD_MIN_VERSION" \
    POD_MANIFEST_PATH="$STATE_DIR/static-pods" \
    CONTAINER_RUNTIME_ENDPOINT="unix://$CONTAINERD_SOCK" CGROUP_DRIVER=cgroupfs \
    ENABLE_HOSTPATH_PROVISIONER=true KUBE_DEFAULT_STORAGE_CLASS=true \
    KUBE_ENABLE_CLUSTER_DNS=true DNS_ADDON=coredns \
    API_HOST=127.0.0.1 API_HOST_IP=127.0.0.1 \
    ENABLE_ADMISSION_PLUGINS=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,DefaultTolerationSeconds,Priority,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ResourceQuota,NodeRestriction,PodSecurity \
    EVICTION_HARD='memory.available<100Mi,nodefs.available<2%,imagefs.available<2%,nodefs.inodesFree<2%' \
    KUBELET_FLAGS='--image-gc-high-threshold=100 --image-gc-low-threshold=99'
  # no image GC: a shared disk above 85% made kubelet delete the imported pause image (no registry to pull it back)
  setsid -w "$TREE/hack/local-up-cluster.sh" -o "$K8S_BIN"
) >"$LOG_DIR/local-up-cluster.log" 2>&1 </dev/null || true

# record what runs, so down stops exactly these processes
record_pid() { # NAME PATTERN-ON-CMDLINE
  local p
  for p in $(pgrep -f -- "$2"); do echo "$p" >"$RUN_DIR/$1.pid"; return 0; done
  return 1
}
for c in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
  record_pid "$c" "^$K8S_BIN/$c " || die "$c is not running: see $LOG_DIR/$c.log and $LOG_DIR/local-up-cluster.log"
done
record_pid etcd "^/usr/bin/etcd .*--data-dir $STATE_DIR/etcd" || die "etcd is not running: see $LOG_DIR/etcd.log"
cp "$STATE_DIR/certs/admin.kubeconfig" "$KUBECONFIG_FILE"
chmod 600 "$KUBECONFIG_FILE"

# pods on the bridge talk to each other: Docker leaves FORWARD's policy at DROP
iptables -C FORWARD -i "$CNI_BRIDGE" -o "$CNI_BRIDGE" -m comment --comment todo-cluster -j ACCEPT 2>/dev/null ||
  iptables -I FORWARD 1 -i "$CNI_BRIDGE" -o "$CNI_BRIDGE" -m comment --comment todo-cluster -j ACCEPT

# PVCs: like Minikube's storage-provisioner, provisioned directories are world-writable, so a
# non-root pod (PostgreSQL as uid 70/999) can create its data directory (hostPath ignores fsGroup).
mkdir -p "$HOSTPATH_PV_DIR"
chmod 0777 "$HOSTPATH_PV_DIR"
find "$HOSTPATH_PV_DIR" -mindepth 1 -maxdepth 1 -type d -exec chmod 0777 {} +
setsid bash -c 'inotifywait -m -q -e create -e moved_to --format "%w%f" "$1" | while read -r d; do [ -d "$d" ] && chmod 0777 "$d"; done' _ "$HOSTPATH_PV_DIR" >"$LOG_DIR/hostpath-chmod.log" 2>&1 </dev/null &
echo $! >"$RUN_DIR/hostpath-chmod.pid"

step "waiting for the node and CoreDNS"
for _ in $(seq 120); do
  kc get node 127.0.0.1 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True && break
  sleep 1
done
kc get node 127.0.0.1 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True ||
  die "node 127.0.0.1 not Ready after 120 s: see $LOG_DIR/kubelet.log"
kc -n kube-system rollout status deploy/coredns --timeout=180s >/dev/null ||
  die "CoreDNS not available: kubectl --kubeconfig $KUBECONFIG_FILE -n kube-system describe pod -l k8s-app=kube-dns"
kc get storageclass standard >/dev/null 2>&1 || die "no default StorageClass: see $LOG_DIR/local-up-cluster.log"

step "up: Kubernetes $K8S_VERSION, node 127.0.0.1 Ready, CoreDNS, default StorageClass \"standard\" (hostpath), Pod Security admission on"
echo "kubeconfig: $KUBECONFIG_FILE"
echo "  export KUBECONFIG=$KUBECONFIG_FILE; $KUBECTL get nodes"
