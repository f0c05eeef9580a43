# Shared by scripts/minikube/*.sh: pinned versions, paths, logging. Sourced, not run.
# Kubernetes' version is the project's (versions.kubernetes in todo.config.yaml); the rest is pinned here.
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MK_DIR=$REPO_ROOT/scripts/minikube
cfg() { (cd "$REPO_ROOT" && npx --no-install tsx scripts/config-get.ts "$1"); }

MINIKUBE_VERSION=v1.37.0          # k8s.io/minikube, built from the Go module proxy as the main module
STORAGE_PROVISIONER_TAG=v5        # what minikube v1.37.0's storage-provisioner addon asks for (its Makefile's tag)
# ...built from this minikube release's source: v1.37.0's own links client-go v0.34, which has dropped
# the endpoints leader-election lock the provisioner takes ("endpoints lock is removed", since v0.24); v1.25.2 links
# client-go v0.23 and ships the same provisioner at the same tag.
STORAGE_PROVISIONER_FROM=v1.25.2
CRICTL_VERSION=v1.34.0            # sigs.k8s.io/cri-tools: the proxy refused v1.33.0, v1.32.0 and v1.31.1 (2026-12-06); CRI v1 is the same
# kubeadm v1.33 (and minikube's table for v1.33.4) asks for these; see images() in build.sh for what each one holds
ETCD_TAG=3.5.21-0
COREDNS_VERSION=v1.12.0
PAUSE_TAG=3.10
PROFILE=${MINIKUBE_PROFILE:-minikube}   # the profile the pipeline's --target minikube uses by default

CACHE_DIR=${TODO_MINIKUBE_CACHE:-/var/cache/todo-minikube}   # everything built, kept across down/up
STATE_DIR=${TODO_MINIKUBE_STATE:-/var/lib/todo-minikube}     # what up changed on the host, for down to put back
MINIKUBE_BIN=$CACHE_DIR/minikube-$MINIKUBE_VERSION/minikube
export MINIKUBE_HOME=${MINIKUBE_HOME:-$HOME/.minikube}       # minikube's own default; `minikube image load` must find the same
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

# Debian bookworm packages of the node image (pinned; containerd and runc are the ones Debian's docker.io uses)
NODE_PACKAGES=(
  systemd=252.39-1~deb12u2 systemd-sysv=252.39-1~deb12u2 dbus=1.14.10-1~deb12u1
  containerd=1.6.20~ds1-1+deb12u3 runc=1.1.5+ds1-1+deb12u1 containernetworking-plugins=1.1.1+ds1-3+b5
  conntrack=1:1.4.7-1+b2 iptables=1.8.9-2 ebtables=2.0.11-5 iproute2=6.1.0-3 ethtool=1:6.1-1 socat=1.7.4.4-2
  openssh-server=1:9.2p1-2+deb12u10 sudo=1.9.13p3-1+deb12u4 kmod=30+20221128-1 pigz=2.6-1 rsync=3.5.0+ds1-0+deb12u1
  curl=7.88.1-10+deb12u15 ca-certificates=20250419~deb12u2 procps=2:4.0.2-3 libseccomp2=2.5.4-1+deb12u1
)
# kube-proxy runs iptables/conntrack inside its own container; etcd is Debian's (see build.sh)
KUBE_PROXY_PACKAGES=(iptables=1.8.9-2 conntrack=1:1.4.7-1+b2)
ETCD_PACKAGE=etcd-server=3.4.23-4+b4
HOST_PACKAGES=(debootstrap=1.0.128+nmu2+deb12u2 jq=1.6-2.1+deb12u3)

t0=$(date +%s)
step() { printf '[minikube %4ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
die() { printf 'minikube: %s\n' "$*" >&2; exit 1; }
