#!/usr/bin/env bash
# Makes sure a Docker Engine answers on this machine, starting Debian's dockerd
# when none does. Idempotent and safe to call from several processes at once:
# an engine that already answers is left alone.
# Prints nothing on success unless it had to start the engine.
set -euo pipefail

# Debian's 20.10 CLI has BuildKit built in; a newer CLI elsewhere on PATH may
# expect the buildx plugin, so the images tooling uses this one when present.
DOCKER=${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker || true )}
LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-60}

answers() { [ -n "$DOCKER" ] && "$DOCKER" info >/dev/null 2>&1; }

answers && exit 0

if [ -z "$DOCKER" ] || ! command -v dockerd >/dev/null; then
  echo "docker-engine: no Docker Engine installed; run 'bash scripts/setup/system-packages.sh' (installs Debian's docker.io)" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "docker-engine: no engine answers and starting dockerd needs root; start it with 'sudo dockerd' or ask for access to /var/run/docker.sock" >&2
  exit 1
fi

# One starter at a time; whoever waited on the lock re-checks first.
exec 9>/tmp/docker-engine.lock
flock 9
answers && exit 0

if ! pgrep -x dockerd >/dev/null; then
  echo "docker-engine: starting dockerd (log: $LOG)"
  # setsid: the engine must outlive the test run or shell that started it.
  # 9>&-: the lock must not be inherited by dockerd (and the container shims it starts), or it is held for good.
  setsid dockerd >>"$LOG" 2>&1 </dev/null 9>&- &
fi
for _ in $(seq "$WAIT_SECONDS"); do
  answers && { echo "docker-engine: engine ready ($("$DOCKER" version --format '{{.Server.Version}}'))"; exit 0; }
  sleep 1
done
echo "docker-engine: dockerd did not answer within ${WAIT_SECONDS}s; last lines of $LOG:" >&2
tail -n 20 "$LOG" >&2 || true
exit 1
