#!/usr/bin/env bash
# npm run cluster:down — stops everything npm run cluster:up started and puts back what it
# changed on the host: the pods' containers, kube-*, etcd, our containerd, the hostpath watcher;
# the sysctls kubelet/kube-proxy set; the iptables rules and chains kube-proxy, the CNI plugins
# and up.sh added (Docker's own rules are left alone); the cni0 bridge; mounts under
# /var/lib/kubelet. Built binaries and imported images stay cached ($CACHE_DIR, containerd's
# content store) so the next up is quick. Safe to run when nothing is up.
source "$(dirname "$0")/common.sh"
[ "$(id -u)" = 0 ] || die "must run as root: sudo npm run cluster:down"

stop_pid() { # NAME [SIGNAL]
  local f=$RUN_DIR/$1.pid pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    step "stopped $1 ($pid)"
  fi
  rm -f "$f"
}

[ -s "$RUN_DIR/hostpath-chmod.pid" ] && pkill -P "$(cat "$RUN_DIR/hostpath-chmod.pid")" 2>/dev/null || true
stop_pid hostpath-chmod
for c in kube-proxy kubelet kube-scheduler kube-controller-manager kube-apiserver etcd; do stop_pid "$c"; done

# the pods' containers, then our containerd
if [ -S "$CONTAINERD_SOCK" ] && ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1; then
  tasks=$(ctr_k8s tasks ls -q 2>/dev/null || true)
  if [ -n "$tasks" ]; then
    step "stopping $(echo "$tasks" | wc -l) pod containers"
    for t in $tasks; do ctr_k8s tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true; done
    sleep 1
    for t in $tasks; do ctr_k8s tasks delete -f "$t" >/dev/null 2>&1 || true; done
  fi
  # The pods' network namespaces (/run/netns/cni-*): killing their tasks skips the CNI teardown,
  # so they and the veths inside them would outlive the cluster. Taken from the sandboxes' own specs.
  netns=$(for c in $(ctr_k8s containers ls -q 2>/dev/null); do ctr_k8s containers info "$c" 2>/dev/null; done |
    grep -o '"/var/run/netns/cni-[0-9a-f-]*"\|"/run/netns/cni-[0-9a-f-]*"' | tr -d '"' | sort -u || true)
  for c in $(ctr_k8s containers ls -q 2>/dev/null); do ctr_k8s containers delete "$c" >/dev/null 2>&1 || true; done
  if [ -n "$netns" ]; then
    for n in $netns; do ip netns delete "$(basename "$n")" 2>/dev/null || true; done
    step "removed $(echo "$netns" | wc -l) pod network namespaces and their veths"
  fi
fi
stop_pid containerd

# mounts left by pods and sandboxes (tmpfs secrets, shm, overlay rootfs)
for m in $(awk '{print $2}' /proc/mounts | grep -E "^(/var/lib/kubelet|$CONTAINERD_STATE|$CONTAINERD_ROOT|$RUN_DIR)" | sort -r); do
  umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
done

# iptables: rules in built-in chains that jump to kube-proxy's and the CNI plugins' chains, then
# those chains; our FORWARD rule. Docker's chains and rules are untouched.
cleanup_iptables() {
  local table rule chain
  for table in filter nat mangle raw; do
    { iptables-save -t "$table" 2>/dev/null | grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*(-j (KUBE-|CNI-)|--comment "?todo-cluster)' || true; } |
      while read -r rule; do
        eval "iptables -t $table ${rule/#-A/-D}" 2>/dev/null || true
      done
    for chain in $(iptables-save -t "$table" 2>/dev/null | sed -n 's/^:\(\(KUBE\|CNI\)-[^ ]*\) .*/\1/p'); do
      iptables -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $(iptables-save -t "$table" 2>/dev/null | sed -n 's/^:\(\(KUBE\|CNI\)-[^ ]*\) .*/\1/p'); do
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}
if iptables-save 2>/dev/null | grep -E 'KUBE-|CNI-|todo-cluster' >/dev/null; then  # not grep -q: with pipefail, iptables-save's SIGPIPE would read as "none"
  cleanup_iptables
  step "removed the iptables rules and chains of kube-proxy, the CNI plugins and cluster:up"
fi
ip link show "$CNI_BRIDGE" >/dev/null 2>&1 && ip link delete "$CNI_BRIDGE" && step "removed the $CNI_BRIDGE bridge"
rm -rf /var/lib/cni/networks/todo-cluster /var/lib/cni/results

# sysctls and directories as they were before the first up
if [ -s "$SAVED_HOST_STATE" ]; then
  while read -r kind what; do
    case "$kind" in
      sysctl) sysctl -q -w "$what" >/dev/null && step "restored $what" ;;
      created) rm -rf "$what" ;;
    esac
  done <"$SAVED_HOST_STATE"
  rm -f "$SAVED_HOST_STATE"
fi

# cluster state (etcd data, certs, PV directories); the cache and the image store are kept
rm -rf "$REGISTRY_HOSTS_DIR" "$STATE_DIR/etcd" "$STATE_DIR/certs" "$STATE_DIR/config" "$STATE_DIR/static-pods" "$KUBECONFIG_FILE" "$HOSTPATH_PV_DIR" "$RUN_DIR"
step "down"
