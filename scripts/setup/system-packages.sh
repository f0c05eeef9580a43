#!/usr/bin/env bash
# Debian packages the tests need: PostgreSQL, Chromium for the browser tests,
# the Docker Engine for the image tests, debootstrap for local base images,
# Debian's docker-registry for the preflight's registry check.
# Idempotent: installs only what is missing.
set -euo pipefail
need=()
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
command -v chromium >/dev/null || need+=(chromium)
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v git >/dev/null || need+=(git)
command -v go >/dev/null || need+=(golang-go)
command -v docker-registry >/dev/null || need+=(docker-registry)
if ((${#need[@]})); then
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q -o DPkg::Lock::Timeout=600 "${need[@]}"
fi
