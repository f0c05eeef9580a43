#!/usr/bin/env bash
# npm run minikube:up — Minikube (docker driver, containerd inside the node) with nothing pulled from a
# container registry: minikube, the node image, the Kubernetes binaries and every image the cluster runs
# are built here from Go modules and Debian packages (scripts/minikube/build.sh, cached under
# /var/cache/todo-minikube) and handed to minikube through its own cache. Kubernetes is
# versions.kubernetes from todo.config.yaml. Idempotent: when the profile is up and its node Ready,
# this returns in seconds. Undo with npm run minikube:down.
source "$(dirname "$0")/common.sh"

[ "$(id -u)" = 0 ] || die "must run as root (it configures the Docker Engine and runs minikube as root): sudo npm run minikube:up"
[ "$(uname -s)" = Linux ] || die "needs Linux"

K8S_VERSION=v$(cfg versions.kubernetes | sed 's/^v//')
KUBECTL=$MINIKUBE_HOME/cache/linux/amd64/$K8S_VERSION/kubectl
DAEMON_JSON=/etc/docker/daemon.json
RUNTIME_NAME=todo-minikube-runc
SAVED=$STATE_DIR/host-before-up
CPUS=${MINIKUBE_CPUS:-2}
MEMORY=${MINIKUBE_MEMORY:-4096}
export MINIKUBE_WANTUPDATENOTIFICATION=false   # its update check asks GitHub, which a closed network cannot reach
mk() { "$MINIKUBE_BIN" --profile "$PROFILE" "$@"; }
kc() { "$KUBECTL" --context "$PROFILE" "$@"; }

node_ready() {
  [ -x "$MINIKUBE_BIN" ] && [ -x "$KUBECTL" ] || return 1
  mk status --output json 2>/dev/null | grep -q '"APIServer":"Running"' || return 1
  kc get node "$PROFILE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True
}
if node_ready; then
  step "already up: profile $PROFILE, Kubernetes $K8S_VERSION, node Ready"
  exit 0
fi

# ---- build (cached) --------------------------------------------------------------------------
node_image=$(bash "$MK_DIR/build.sh" | tee /dev/stderr | tail -1)
[ -n "$node_image" ] || die "build.sh did not name the node image"
t_built=$(( $(date +%s) - t0 ))

# ---- host state we change, saved once so down can put it back --------------------------------
mkdir -p "$STATE_DIR"
if [ ! -s "$SAVED" ]; then
  {
    # the kubelet in the privileged node writes these, and they are not per container
    for s in kernel.panic kernel.panic_on_oops vm.overcommit_memory; do echo "sysctl $s=$(sysctl -n "$s")"; done
    [ -e /usr/local/bin/minikube ] || echo "created /usr/local/bin/minikube"
    [ -e "$HOME/.kube/config" ] || echo "created $HOME/.kube/config"
    if [ -s "$DAEMON_JSON" ]; then echo "daemon-json-default-runtime $(jq -r '."default-runtime" // "-"' "$DAEMON_JSON")"; else echo "daemon-json-absent"; fi
  } >"$SAVED.tmp" && mv "$SAVED.tmp" "$SAVED"
fi
[ -e /usr/local/bin/minikube ] || ln -s "$MINIKUBE_BIN" /usr/local/bin/minikube   # the pipeline calls `minikube image load`

# ---- Docker: privileged node containers where CAP_SYS_RESOURCE is not in the bounding set ------
# `docker run --privileged` asks runc for every capability and fails ("unable to apply caps") when the
# machine lacks one. minikube has no flag for a runtime, so a runc wrapper that drops
# CAP_SYS_RESOURCE from the container's and each exec's spec becomes the engine's default runtime
# (daemon.json + SIGHUP, which reloads runtimes without restarting containers). down undoes it.
cap_bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
if (( (16#$cap_bnd >> 24 & 1) == 0 )); then
  wrapper=$CACHE_DIR/bin/$RUNTIME_NAME
  mkdir -p "$CACHE_DIR/bin"
  cat >"$wrapper.tmp" <<'SH'
#!/bin/bash
# runc, minus CAP_SYS_RESOURCE (absent from this machine's bounding set) in the spec of create/run and exec.
drop() { # FILE JQ-PATH-OF-A-CAPABILITIES-OBJECT
  local t
  t=$(mktemp "$1.XXXXXX") || return 0
  if jq -c "if $2 then $2 |= map_values(if type == \"array\" then map(select(. != \"CAP_SYS_RESOURCE\")) else . end) else . end" "$1" >"$t"; then mv "$t" "$1"; else rm -f "$t"; fi
}
cmd="" bundle=. process=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    create | run | exec) [ -n "$cmd" ] || cmd=${args[i]} ;;
    --bundle | -b) bundle=${args[i + 1]} ;;
    --bundle=*) bundle=${args[i]#--bundle=} ;;
    --process | -p) process=${args[i + 1]} ;;
    --process=*) process=${args[i]#--process=} ;;
  esac
done
case "$cmd" in
  create | run) [ -f "$bundle/config.json" ] && drop "$bundle/config.json" .process.capabilities ;;
  exec) [ -n "$process" ] && [ -f "$process" ] && drop "$process" .capabilities ;;
esac
exec @RUNC@ "$@"
SH
  real_runc=$(command -v runc) || die "runc not found (the Docker Engine's runtime)"
  sed -i "s#@RUNC@#$real_runc#" "$wrapper.tmp"
  chmod 0755 "$wrapper.tmp" && mv "$wrapper.tmp" "$wrapper"
  [ -s "$DAEMON_JSON" ] || echo '{}' >"$DAEMON_JSON"
  want=$(jq --arg n "$RUNTIME_NAME" --arg p "$wrapper" '.runtimes[$n] = {path: $p} | ."default-runtime" = $n' "$DAEMON_JSON")
  if [ "$want" != "$(jq . "$DAEMON_JSON")" ]; then
    echo "$want" >"$DAEMON_JSON.tmp" && mv "$DAEMON_JSON.tmp" "$DAEMON_JSON"
    kill -HUP "$(pidof dockerd)" || die "could not signal dockerd to reload $DAEMON_JSON"
    for _ in $(seq 20); do docker info -f '{{.DefaultRuntime}}' 2>/dev/null | grep -qx "$RUNTIME_NAME" && break; sleep 0.5; done
    docker info -f '{{.DefaultRuntime}}' | grep -qx "$RUNTIME_NAME" || die "dockerd did not take $RUNTIME_NAME as its default runtime (see $DAEMON_JSON)"
    step "Docker: default runtime $RUNTIME_NAME (runc without CAP_SYS_RESOURCE; undone by minikube:down)"
  fi
fi

# ---- minikube start --------------------------------------------------------------------------
# A profile that exists but is not up (a failed or stopped start, an older node image) is made anew.
if mk status --output json >/dev/null 2>&1 || [ -d "$MINIKUBE_HOME/profiles/$PROFILE" ]; then
  step "profile $PROFILE exists but is not up: deleting it first"
  mk delete >"$STATE_DIR/delete.log" 2>&1 || die "minikube delete failed: see $STATE_DIR/delete.log"
fi
# --force: minikube refuses the docker driver as root without it. --cni=bridge: the default for
# containerd (kindnet) is an image nobody built here. --preload=false: no preload tarball to fetch;
# the images come from $MINIKUBE_HOME/cache/images, put there by build.sh.
# kubeadm's HTTPProxyCIDR check: kubeadm writes the service CIDR's first address as "[10.96.0.1]",
# which the Go toolchain building it here (newer than Kubernetes v1.33's) refuses to parse as a URL.
# Air-gapped mode (TODO_REGISTRY, else registry: in todo.config.yaml): the node pulls the deploy's
# images and PostgreSQL from that registry, as plain HTTP when it serves no HTTPS.
insecure=()
registry=$(cfg registry)
if [ "$registry" != null ]; then
  host=${registry%%/*}
  curl -fsS -m 5 -o /dev/null "https://$host/v2/" 2>/dev/null || insecure=(--insecure-registry="$host")
fi
step "minikube start: profile $PROFILE, docker driver, node image $node_image, Kubernetes $K8S_VERSION${insecure:+, ${insecure[*]}} (log: $STATE_DIR/start.log)"
start_s=$(date +%s)
mk start --driver=docker --force --base-image="$node_image" --container-runtime=containerd "${insecure[@]}" \
  --kubernetes-version="$K8S_VERSION" --preload=false --cni=bridge --cpus="$CPUS" --memory="$MEMORY" \
  --extra-config=kubeadm.ignore-preflight-errors=HTTPProxyCIDR --interactive=false --alsologtostderr -v=1 >"$STATE_DIR/start.log" 2>&1 ||
  die "minikube start failed after $(( $(date +%s) - start_s )) s: see $STATE_DIR/start.log (last lines: $(grep -v '^[IW][0-9]' "$STATE_DIR/start.log" | tail -n 5 | tr '\n' ' '))"
step "minikube start: done in $(( $(date +%s) - start_s )) s"

for _ in $(seq 120); do node_ready && break; sleep 1; done
node_ready || die "node $PROFILE not Ready: $MINIKUBE_BIN --profile $PROFILE logs"
kc -n kube-system rollout status deploy/coredns --timeout=180s >/dev/null ||
  die "CoreDNS not available: $KUBECTL --context $PROFILE -n kube-system describe pod -l k8s-app=kube-dns"
kc -n kube-system wait --for=condition=Ready pod/storage-provisioner --timeout=120s >/dev/null ||
  die "storage-provisioner (the default StorageClass's provisioner) not Ready: $KUBECTL --context $PROFILE -n kube-system logs storage-provisioner"
step "up: profile $PROFILE, Kubernetes $K8S_VERSION, node Ready, CoreDNS, default StorageClass (build ${t_built} s, total $(( $(date +%s) - t0 )) s)"
echo "  kubectl: $KUBECTL --context $PROFILE get nodes     (kubeconfig: $HOME/.kube/config, context $PROFILE)"
echo "  images:  minikube image load IMAGE"
