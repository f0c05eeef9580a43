# Shared by scripts/cluster/*.sh: pinned versions, paths, logging.
# Sourced, not run. Every version comes from todo.config.yaml (versions.*, cluster.*).
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cfg() { (cd "$REPO_ROOT" && npx --no-install tsx scripts/config-get.ts "$1"); }

CACHE_DIR=${TODO_CLUSTER_CACHE:-/var/cache/todo-cluster}   # built binaries and images, kept across down/up
STATE_DIR=${TODO_CLUSTER_STATE:-/var/lib/todo-cluster}     # kubeconfig, certs, etcd data, provisioned volumes
RUN_DIR=/run/todo-cluster                                  # sockets and pid files
LOG_DIR=$STATE_DIR/logs
KUBECONFIG_FILE=$STATE_DIR/kubeconfig
CONTAINERD_SOCK=$(cfg deploy.targets.local.containerd)     # under $RUN_DIR, not /run/containerd: Docker's containerd may use it
CONTAINERD_ROOT=$STATE_DIR/containerd
CONTAINERD_STATE=$RUN_DIR/containerd
REGISTRY_HOSTS_DIR=$STATE_DIR/registry-hosts                 # containerd's per-registry hosts.toml (air-gapped mode)
SAVED_HOST_STATE=$STATE_DIR/host-before-up                 # sysctls and iptables rules to restore on down

t0=$(date +%s)
step() { printf '[cluster %3ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }
ctr_k8s() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }

# Debian packages the cluster runs on, pinned (bookworm). containerd/runc are the ones docker.io already pulls in.
DEBIAN_PACKAGES=(
  containerd=1.6.20~ds1-1+deb12u3
  runc=1.1.5+ds1-1+deb12u1
  containernetworking-plugins=1.1.1+ds1-3+b5
  etcd-server=3.4.23-4+b4
  conntrack=1:1.4.7-1+b2
  iptables=1.8.9-2
  socat=1.7.4.4-2
  golang-cfssl=1.2.0+git20160825.89.7fb22c8-3.1+b11
  inotify-tools=3.22.6.0-4
)
ETCD_MIN_VERSION=3.4.23          # local-up-cluster.sh asks for >= 3.5.21; Debian's 3.4.23 runs this cluster fine
PAUSE_IMAGE=registry.k8s.io/pause:3.10   # the sandbox image kubelet 1.33 / containerd are told to use
CNI_BIN_DIR=/usr/lib/cni                  # Debian's containernetworking-plugins
CNI_CONF_DIR=$STATE_DIR/cni               # our own, not /etc/cni/net.d
CNI_BRIDGE=cni0
POD_SUBNET=10.88.0.0/16
HOSTPATH_PV_DIR=/tmp/hostpath_pv          # fixed in kube-controller-manager's hostpath provisioner
SYSCTLS=(kernel.panic kernel.panic_on_oops vm.overcommit_memory net.ipv4.conf.all.route_localnet)
