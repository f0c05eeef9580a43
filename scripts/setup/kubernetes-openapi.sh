#!/usr/bin/env bash
# The Kubernetes OpenAPI document the chart tests validate rendered manifests
# against, offline: k8s.io/kubernetes at versions.kubernetes (todo.config.yaml),
# fetched once through the Go module proxy into the Go module cache (checked
# against the Go checksum database). Its api/openapi-spec/swagger.json is what
# ci/policies/chart/schema-source.ts reads. Idempotent: a cached module is reused.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(npx --no-install tsx scripts/config-get.ts versions.kubernetes)
dir=$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v${version#v}" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const j = JSON.parse(s);
    if (j.Error) { console.error(j.Error); process.exit(1); }
    console.log(j.Dir);
  });')
spec="$dir/api/openapi-spec/swagger.json"
if [ ! -s "$spec" ]; then
  echo "k8s.io/kubernetes@v${version#v} has no $spec" >&2
  exit 1
fi
echo "Kubernetes ${version#v} OpenAPI spec: $spec"
