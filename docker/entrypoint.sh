#!/usr/bin/env bash
# The ringcache image's entrypoint: one image, three programs, and a health probe.
#
#   node [OPTIONS]       a cache node     (cache-node --help; every option also reads CACHE_NODE_*)
#   router [OPTIONS]     the router       (cache-router --help; CACHE_ROUTER_*, CACHE_PASSWORD)
#   cachectl [ARGS]      the CLI          (also on the PATH as `cachectl`, for docker compose exec)
#   init-secrets         make the cluster secret and the admin token (32 random bytes, hex) in
#                        $SECRETS_DIR (/var/lib/ringcache/secrets), mode 0600, unless they exist;
#                        CACHE_CLUSTER_SECRET / CACHE_ADMIN_TOKEN, when set, are written instead.
#                        docker-compose.yml runs it once before the nodes and the router start.
#   health node|router   exit 0 if the process in this container answers: a node PING (after AUTH
#                        with CACHE_NODE_REQUIREPASS when set) on CACHE_NODE_PORT (7001), the
#                        router's GET /health on CACHE_ROUTER_ADMIN_PORT (7070). Uses bash's /dev/tcp.
#
# JVM options: RINGCACHE_JAVA_OPTS (default: a heap of 75% of the container's memory limit, and exit
# on OutOfMemoryError so that the orchestrator restarts the process). A node and the router also get
# -XX:MetaspaceSize=64m before those options (theirs wins): without it, their class metadata crosses the
# JVM's default first threshold (21 MB) during the first scale event, and the collection it forces
# paused each source for 0.2-1 s of that join (bin/cache-node, docs/benchmarks.md).
set -euo pipefail

home=/opt/ringcache # lib/ (shared jars), app/ (ours), NAME.args (classpath and main class)
java_opts=${RINGCACHE_JAVA_OPTS:--XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError}

usage() {
  echo "usage: entrypoint.sh node|router|cachectl [ARGS...] | init-secrets | health node|router" >&2
  exit 2
}

# init-secrets: one file per secret, made once; a given value wins over an existing file
init_secret() { # FILE GIVEN-VALUE
  local file=$1 given=$2
  if [ -n "$given" ]; then
    printf '%s\n' "$given" >"$file.tmp" && mv "$file.tmp" "$file"
  elif [ ! -s "$file" ]; then
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file.tmp" && echo >>"$file.tmp" && mv "$file.tmp" "$file"
    echo "init-secrets: made $file" >&2
  fi
}

probe_node() {
  local port=${CACHE_NODE_PORT:-7001} reply
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  if [ -n "${CACHE_NODE_REQUIREPASS:-}" ]; then
    printf '*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n' "${#CACHE_NODE_REQUIREPASS}" "$CACHE_NODE_REQUIREPASS" >&3
    IFS= read -r -t 2 reply <&3 || return 1
    [ "${reply%$'\r'}" = "+OK" ] || return 1
  fi
  printf '*1\r\n$4\r\nPING\r\n' >&3
  IFS= read -r -t 2 reply <&3 || return 1
  [ "${reply%$'\r'}" = "+PONG" ]
}

probe_router() {
  local port=${CACHE_ROUTER_ADMIN_PORT:-7070} status
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  IFS= read -r -t 2 status <&3 || return 1
  [[ "$status" == "HTTP/1."?" 200"* ]]
}

# invoked as `cachectl` through the symlink on the PATH
if [ "$(basename "$0")" = cachectl ]; then
  set -- cachectl "$@"
fi

[ $# -ge 1 ] || usage
mode=$1
shift
case "$mode" in
  node)
    # shellcheck disable=SC2086
    exec java -XX:MetaspaceSize=64m $java_opts "@$home/node.args" "$@" ;;
  router)
    # shellcheck disable=SC2086
    exec java -XX:MetaspaceSize=64m $java_opts "@$home/router.args" "$@" ;;
  cachectl)
    exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "@$home/cachectl.args" "$@" ;;
  init-secrets)
    dir=${SECRETS_DIR:-/var/lib/ringcache/secrets}
    umask 077
    mkdir -p "$dir"
    init_secret "$dir/cluster-secret" "${CACHE_CLUSTER_SECRET:-}"
    init_secret "$dir/admin-token" "${CACHE_ADMIN_TOKEN:-}"
    chmod 0600 "$dir/cluster-secret" "$dir/admin-token" ;;
  health)
    case "${1:-}" in
      node) probe_node ;;
      router) probe_router ;;
      *) usage ;;
    esac ;;
  *)
    usage ;;
esac
