#!/usr/bin/env bash
# What `npm test` needs on this machine, installed only where missing (runs as
# npm's pretest, so the README's test command works on a fresh Debian machine):
# Debian's PostgreSQL, Chromium, Docker Engine and debootstrap; helm and trivy
# built from the Go module proxy; the Kubernetes OpenAPI spec. Each step is
# idempotent and takes seconds once done. TODO_SKIP_SETUP=1 skips it all.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "${TODO_SKIP_SETUP:-}" = 1 ] && exit 0
if [ "$(id -u)" != 0 ] && ! command -v chromium >/dev/null; then
  echo "test setup: Debian packages are missing and installing them needs root: run 'sudo bash scripts/setup/system-packages.sh' once, then npm test" >&2
  exit 1
fi
bash scripts/setup/system-packages.sh
bash scripts/setup/go-tools.sh
bash scripts/setup/kubernetes-openapi.sh
bash scripts/setup/trivy.sh
