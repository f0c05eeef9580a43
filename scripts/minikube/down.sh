#!/usr/bin/env bash
# npm run minikube:down — deletes the profile npm run minikube:up started (its node container, volume,
# network and kubeconfig context) and puts back what up changed on the host: the Docker Engine's
# default runtime, the sysctls the node's kubelet wrote, the minikube link in /usr/local/bin, a
# kubeconfig up created. Built binaries and images stay cached (/var/cache/todo-minikube, the Docker
# Engine's images, $MINIKUBE_HOME/cache), so the next up is quick. Safe to run when nothing is up.
source "$(dirname "$0")/common.sh"
[ "$(id -u)" = 0 ] || die "must run as root: sudo npm run minikube:down"
DAEMON_JSON=/etc/docker/daemon.json
RUNTIME_NAME=todo-minikube-runc
SAVED=$STATE_DIR/host-before-up
declare -A KUBELET_SYSCTLS=([kernel.panic]=10 [kernel.panic_on_oops]=1 [vm.overcommit_memory]=1)   # what the kubelet sets
export MINIKUBE_WANTUPDATENOTIFICATION=false

if [ -x "$MINIKUBE_BIN" ]; then
  "$MINIKUBE_BIN" delete --profile "$PROFILE" >"$CACHE_DIR/delete.log" 2>&1 || die "minikube delete failed: see $CACHE_DIR/delete.log"
  step "deleted profile $PROFILE"
fi

# Docker: our runtime out of daemon.json, the default runtime back to what it was. In two reloads:
# dockerd keeps its current default runtime when "default-runtime" is merely absent from daemon.json,
# and a reload that removes the runtime it still defaults to crashes it (nil runtime in Reload). So
# first name the previous default explicitly (runc when there was none), then drop our runtime.
reload_dockerd() { # EXPECTED-DEFAULT-RUNTIME
  local pid
  pid=$(pidof dockerd) || die "dockerd is not running"
  kill -HUP "$pid"
  for _ in $(seq 20); do
    [ "$(docker info -f '{{.DefaultRuntime}}' 2>/dev/null)" = "$1" ] && return 0
    sleep 0.5
  done
  die "dockerd did not reload $DAEMON_JSON (default runtime should be $1; see its log)"
}
if [ -s "$DAEMON_JSON" ] && jq -e --arg n "$RUNTIME_NAME" '(.runtimes[$n] != null) or (."default-runtime" == $n)' "$DAEMON_JSON" >/dev/null 2>&1; then
  before=$(sed -n 's/^daemon-json-default-runtime //p' "$SAVED" 2>/dev/null)
  before=${before:--}
  default=$before; [ "$default" = - ] && default=runc
  jq --arg d "$default" '."default-runtime" = $d' "$DAEMON_JSON" >"$DAEMON_JSON.tmp" && mv "$DAEMON_JSON.tmp" "$DAEMON_JSON"
  reload_dockerd "$default"
  jq --arg n "$RUNTIME_NAME" --arg d "$before" '
      del(.runtimes[$n]) | (if .runtimes == {} then del(.runtimes) else . end)
      | (if $d == "-" then del(."default-runtime") else ."default-runtime" = $d end)' \
    "$DAEMON_JSON" >"$DAEMON_JSON.tmp" && mv "$DAEMON_JSON.tmp" "$DAEMON_JSON"
  if grep -qx daemon-json-absent "$SAVED" 2>/dev/null && [ "$(jq -c . "$DAEMON_JSON")" = "{}" ]; then rm -f "$DAEMON_JSON"; fi
  reload_dockerd "$default"
  step "Docker: $RUNTIME_NAME removed, default runtime $default again (dockerd reloaded)"
fi

if [ -s "$SAVED" ]; then
  while read -r kind what; do
    case "$kind" in
      sysctl)
        # only while it still holds the kubelet's value: another cluster's down may have restored it already
        name=${what%%=*}
        if [ "$(sysctl -n "$name")" = "${KUBELET_SYSCTLS[$name]}" ] && [ "${what#*=}" != "${KUBELET_SYSCTLS[$name]}" ]; then
          sysctl -q -w "$what" >/dev/null && step "restored $what"
        fi ;;
      created)
        if [ "$what" = "$HOME/.kube/config" ]; then
          # minikube delete leaves an empty kubeconfig behind; remove it only if nothing else is in it
          [ -f "$what" ] && ! grep -q '^- context:' "$what" && rm -f "$what"
        elif [ -L "$what" ]; then rm -f "$what"; fi ;;
    esac
  done <"$SAVED"
  rm -f "$SAVED"
fi
step "down"
