#!/usr/bin/env bash
# Sets up Podman as the container engine for the discovery tests and benchmarks (test/integration/
# discovery*.test.ts, test/bench/discovery.bench.ts). Idempotent: run it as often as you like.
#
#   bash test/setup/podman.sh            # as root (CI, or a throwaway dev machine)
#   eval "$(bash test/setup/podman.sh --print-env)"   # also exports DOCKER_HOST in your shell
#
# What it does, each step only when needed:
#   1. apt-get install podman runc busybox-static
#   2. /etc/containers/containers.conf: runc as the runtime (crun fails on this machine's cgroup
#      setup) and container ulimits below the hard limit
#   3. starts the Docker-compatible API: podman system service --time=0 unix:///run/podman/podman.sock
#   4. builds the base image localhost/switchyard-base:test from a static busybox (no registry is
#      reachable, so nothing can be pulled); tests mount the host's node read-only into it
# The last line printed is `export DOCKER_HOST=unix:///run/podman/podman.sock`.
set -euo pipefail

SOCKET_PATH="${SWITCHYARD_PODMAN_SOCKET:-/run/podman/podman.sock}"
IMAGE="${SWITCHYARD_TEST_IMAGE:-localhost/switchyard-base:test}"
LOG="${SWITCHYARD_PODMAN_LOG:-/tmp/switchyard-podman-service.log}"
PRINT_ENV_ONLY=0
[[ "${1:-}" == "--print-env" ]] && PRINT_ENV_ONLY=1

say() { if [[ $PRINT_ENV_ONLY == 1 ]]; then echo "# $*" >&2; else echo "podman-setup: $*" >&2; fi; }

if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
  command -v sudo >/dev/null || { say "not root and no sudo: run this script as root"; exit 1; }
else
  SUDO=
fi

# 1. Packages.
missing=()
command -v podman >/dev/null || missing+=(podman)
command -v runc >/dev/null || missing+=(runc)
[[ -x /bin/busybox || -x /usr/bin/busybox ]] || missing+=(busybox-static)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# 2. Engine configuration (runc, ulimits).
CONF=/etc/containers/containers.conf
WANT=$'[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\n'
if [[ ! -f $CONF ]] || ! grep -q 'runtime = "runc"' "$CONF" || ! grep -q 'default_ulimits' "$CONF"; then
  say "writing $CONF"
  $SUDO mkdir -p /etc/containers
  if [[ -f $CONF && ! -f $CONF.switchyard-backup ]]; then $SUDO cp "$CONF" "$CONF.switchyard-backup"; fi
  printf '%s' "$WANT" | $SUDO tee "$CONF" >/dev/null
fi

# 3. The Docker-compatible API socket.
ping_socket() { curl -fsS --max-time 2 --unix-socket "$SOCKET_PATH" http://d/_ping >/dev/null 2>&1; }
if ! ping_socket; then
  say "starting podman system service on unix://$SOCKET_PATH (log: $LOG)"
  $SUDO mkdir -p "$(dirname "$SOCKET_PATH")"
  # setsid: the service outlives this script (and CI's step) and is not killed with its process group.
  # From /: the service must not hold the checkout as its working directory (conmon fails every
  # container start once that directory is deleted).
  (cd / && exec $SUDO setsid podman system service --time=0 "unix://$SOCKET_PATH") >>"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 100); do
    ping_socket && break
    sleep 0.1
  done
  ping_socket || { say "the podman API did not answer on $SOCKET_PATH"; tail -20 "$LOG" >&2 || true; exit 1; }
fi

# 4. The base image: a static busybox rootfs, imported (nothing can be pulled).
if ! $SUDO podman image exists "$IMAGE"; then
  BUSYBOX=$(command -v busybox || true)
  [[ -n $BUSYBOX ]] || BUSYBOX=/bin/busybox
  say "building $IMAGE from $BUSYBOX"
  ROOTFS=$(mktemp -d)
  trap 'rm -rf "$ROOTFS"' EXIT
  mkdir -p "$ROOTFS"/{bin,tmp,etc,proc,sys,dev,app,repo,usr,lib,lib64,run}
  chmod 1777 "$ROOTFS/tmp"
  cp "$BUSYBOX" "$ROOTFS/bin/busybox"
  for applet in sh ls cat echo sleep env; do ln -sf busybox "$ROOTFS/bin/$applet"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOTFS/etc/passwd"
  echo 'root:x:0:' >"$ROOTFS/etc/group"
  tar -C "$ROOTFS" -c . | $SUDO podman import --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
fi

VERSION=$(curl -fsS --max-time 2 --unix-socket "$SOCKET_PATH" http://d/version | sed -n 's/.*"Version":"\([^"]*\)".*/\1/p' | head -1)
say "podman API ${VERSION:-?} ready at unix://$SOCKET_PATH, image $IMAGE"
echo "export DOCKER_HOST=unix://$SOCKET_PATH"
