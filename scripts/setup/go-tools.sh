#!/usr/bin/env bash
# Go CLIs built from the Go module proxy at the versions pinned in todo.config.yaml.
# Idempotent: a tool already at its pinned version is not rebuilt.
set -euo pipefail
cd "$(dirname "$0")/../.."
get() { npx --no-install tsx scripts/config-get.ts "$1"; }
export GOBIN=${GOBIN:-/usr/local/bin}
export GOFLAGS=-mod=mod

helm_version=$(get versions.helm)
if ! helm version --template '{{.Version}}' 2>/dev/null | grep -qx "$helm_version"; then
  echo "building helm $helm_version from the Go module proxy"
  go install "helm.sh/helm/v3/cmd/helm@$helm_version"
fi
