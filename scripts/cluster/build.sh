#!/usr/bin/env bash
# Builds, once, what the local cluster runs and no registry can give us here:
#  - Kubernetes v$versions.kubernetes (apiserver, controller-manager, scheduler, kubelet,
#    kube-proxy, kubectl) from the Go module proxy, in a wrapper module that requires
#    k8s.io/kubernetes and replaces each staging module (the module zip has no staging/)
#    with its published v0.X.Y;
#  - CoreDNS at versions.coredns (go install);
#  - a pause image from a tiny static C program;
# all under $CACHE_DIR, keyed by version. Nothing fetched is written into the repository.
source "$(dirname "$0")/common.sh"

K8S_VERSION=v$(cfg versions.kubernetes | sed 's/^v//')
COREDNS_VERSION=v$(cfg versions.coredns | sed 's/^v//')
STAGING_VERSION=v0.${K8S_VERSION#v1.}
K8S_DIR=$CACHE_DIR/kubernetes-$K8S_VERSION
K8S_BIN=$K8S_DIR/bin
COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

command -v go >/dev/null || die "go not found: install Go (scripts/setup/system-packages.sh installs golang-go)"
command -v gcc >/dev/null || die "gcc not found: apt-get install -y gcc libc6-dev"

build_kubernetes() {
  local missing=0 c
  for c in "${COMPONENTS[@]}"; do [ -x "$K8S_BIN/$c" ] || missing=1; done
  if ((missing == 0)); then step "kubernetes $K8S_VERSION: cached in $K8S_BIN"; return; fi
  mkdir -p "$K8S_DIR/wrapper" "$K8S_BIN"
  step "kubernetes $K8S_VERSION: fetching k8s.io/kubernetes from the Go module proxy"
  local modfile
  modfile=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
  [ -s "$modfile" ] || die "go mod download k8s.io/kubernetes@$K8S_VERSION failed: is the Go module proxy reachable (GOPROXY)?"
  local go_line
  go_line=$(grep -m1 '^go ' "$modfile")
  {
    echo "module todo.local/kubernetes-build"
    echo
    echo "$go_line"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    # every staging module kubernetes replaces with ./staging/src/k8s.io/X -> the published k8s.io/X v0.Y.Z
    sed -n 's#^\t\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$STAGING_VERSION"'#p' "$modfile" | grep -v '/sample-'
    echo ")"
  } >"$K8S_DIR/wrapper/go.mod"
  cat >"$K8S_DIR/wrapper/tools.go" <<GO
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubelet"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  step "kubernetes $K8S_VERSION: go mod tidy (staging modules at $STAGING_VERSION)"
  (cd "$K8S_DIR/wrapper" && go mod tidy >"$K8S_DIR/tidy.log" 2>&1) ||
    die "go mod tidy for kubernetes $K8S_VERSION failed (see $K8S_DIR/tidy.log): the proxy must serve every staging module at $STAGING_VERSION; pick a versions.kubernetes it does (1.33.4 did on 2026-11-27)"
  local ld="-s -w"
  ld+=" -X k8s.io/component-base/version.gitVersion=$K8S_VERSION"
  ld+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
  ld+=" -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
  ld+=" -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
  step "kubernetes $K8S_VERSION: compiling ${COMPONENTS[*]} (about 8 min on 2 cores; log: $K8S_DIR/build.log)"
  local pkgs=() start=$SECONDS
  for c in "${COMPONENTS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  (cd "$K8S_DIR/wrapper" && CGO_ENABLED=0 nice -n 10 go build -trimpath -ldflags "$ld" -o "$K8S_BIN/" "${pkgs[@]}" >"$K8S_DIR/build.log" 2>&1) &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 30
    kill -0 "$pid" 2>/dev/null && step "kubernetes $K8S_VERSION: still compiling ($((SECONDS - start)) s)"
  done
  wait "$pid" || die "kubernetes build failed (see $K8S_DIR/build.log)"
  step "kubernetes $K8S_VERSION: built in $((SECONDS - start)) s"
}

build_coredns() {
  local dir=$CACHE_DIR/coredns-$COREDNS_VERSION
  if [ -x "$dir/coredns" ]; then step "coredns $COREDNS_VERSION: cached"; return; fi
  mkdir -p "$dir"
  step "coredns $COREDNS_VERSION: go install from the Go module proxy (about 3 min; log: $dir/build.log)"
  GOBIN=$dir CGO_ENABLED=0 nice -n 10 go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION" >"$dir/build.log" 2>&1 ||
    die "coredns build failed (see $dir/build.log)"
}

build_pause() {
  local dir=$CACHE_DIR/pause
  if [ -x "$dir/pause" ]; then step "pause: cached"; return; fi
  mkdir -p "$dir"
  cat >"$dir/pause.c" <<'C'
/* The pod sandbox's init: sleeps until SIGTERM/SIGINT, reaps orphaned children. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
static void stop(int sig) { (void)sig; _exit(0); }
static void reap(int sig) { (void)sig; while (waitpid(-1, NULL, WNOHANG) > 0) {} }
int main(void) {
  struct sigaction a = {0}, r = {0};
  a.sa_handler = stop; sigaction(SIGINT, &a, NULL); sigaction(SIGTERM, &a, NULL);
  r.sa_handler = reap; r.sa_flags = SA_NOCLDSTOP; sigaction(SIGCHLD, &r, NULL);
  for (;;) pause();
}
C
  gcc -static -Os -o "$dir/pause" "$dir/pause.c" || die "gcc -static failed: apt-get install -y gcc libc6-dev"
  strip "$dir/pause"
  step "pause: built"
}

build_kubernetes
build_coredns
build_pause
