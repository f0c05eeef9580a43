#!/usr/bin/env bash
# Go CLIs built from the Go module proxy at the versions pinned in todo.config.yaml.
# Idempotent: a tool already at its pinned version is not rebuilt.
set -euo pipefail
cd "$(dirname "$0")/../.."
get() { npx --no-install tsx scripts/config-get.ts "$1"; }
export GOBIN=${GOBIN:-/usr/local/bin}
export GOFLAGS=-mod=mod

# helm: `go install` alone leaves the version at the module's default ("v3.21", no patch) and
# Kubernetes at v1.20, so `helm template` refuses charts that require a newer kubeVersion. Set both
# the way helm's own Makefile does (LDFLAGS there; variable names checked in the v3.21.4 source).
helm_version=$(get versions.helm)
kubernetes_version=$(get versions.kubernetes)
IFS=. read -r k8s_major k8s_minor _ <<<"${kubernetes_version#v}"
helm=$GOBIN/helm

# What a helm renders for .Capabilities.KubeVersion, e.g. v1.33.0 (the patch is always 0).
helm_kube_version() {
  local chart
  chart=$(mktemp -d)
  mkdir "$chart/templates"
  printf 'apiVersion: v2\nname: kube-version\nversion: 0.1.0\n' >"$chart/Chart.yaml"
  printf 'kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}\n' >"$chart/templates/v.yaml"
  "$helm" template probe "$chart" 2>/dev/null | sed -n 's/^kubeVersion: "\(.*\)"$/\1/p' || true
  rm -rf "$chart"
}

want_kube="v$k8s_major.$k8s_minor.0"
have_version=$("$helm" version --template '{{.Version}}' 2>/dev/null || true)
if [[ $have_version == "$helm_version" && $(helm_kube_version) == "$want_kube" ]]; then
  echo "helm $helm_version (Kubernetes $want_kube) already at $helm"
else
  echo "building helm $helm_version for Kubernetes $want_kube from the Go module proxy (found: ${have_version:-none})"
  ldflags="-w -s -X helm.sh/helm/v3/internal/version.version=$helm_version"
  for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
    ldflags+=" -X $pkg.k8sVersionMajor=$k8s_major -X $pkg.k8sVersionMinor=$k8s_minor"
  done
  nice go install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$helm_version"
  have_kube=$(helm_kube_version)
  if [[ $("$helm" version --template '{{.Version}}') != "$helm_version" || $have_kube != "$want_kube" ]]; then
    echo "helm at $helm is not $helm_version for Kubernetes $want_kube (renders ${have_kube:-nothing})" >&2
    exit 1
  fi
fi
