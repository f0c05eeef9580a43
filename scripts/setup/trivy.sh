#!/usr/bin/env bash
# Trivy on the host, at the version of the image the pipeline runs
# (pipelineImages.trivy.tag), built from its module source through the Go
# module proxy. `go install …@version` does not work: the proxy refuses to
# list the trivy module (403), so the source is downloaded and built as the
# main module. Its configuration and secret scanning and SBOM conversion need
# no vulnerability database. Idempotent: a trivy at that version is kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(npx --no-install tsx scripts/config-get.ts pipelineImages.trivy.tag)
bin=${GOBIN:-/usr/local/bin}/trivy
if "$bin" --version 2>/dev/null | grep -qx "Version: $version"; then exit 0; fi
echo "building trivy v$version from the Go module proxy (a few minutes)"
dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/aquasecurity/trivy@v$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$dir/." "$work" && chmod -R u+w "$work"
# trivy imports encoding/json/v2, which Go 1.25+ builds only with this experiment.
(cd "$work" && GOEXPERIMENT=jsonv2 CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/aquasecurity/trivy/pkg/version/app.ver=$version" -o "$bin" ./cmd/trivy)
"$bin" --version | head -1
