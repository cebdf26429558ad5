#!/usr/bin/env bash
# The end-to-end test of the Dockerfile and docker-compose.yml: builds the image with the project's
# own Dockerfile, brings the compose cluster up, checks it as a user would, scales it, crashes a node,
# and takes it down again, asserting that nothing of the project is left behind.
#
#   tools/compose-e2e.sh            # as root; CI runs it from .ci/run after `mvn -B verify`
#
# Run on a machine with no Docker engine and no container registry (this project's machines), so it
# stands in for both, and says so:
#
# - ENGINE: podman (runc as the OCI runtime, cgroupfs, no systemd) serving its Docker-compatible API
#   on a private unix socket (`podman system service`), driven by docker-compose v1 through
#   DOCKER_HOST. The compose file and the Dockerfile are used unchanged.
# - BASE IMAGES: the Dockerfile's FROM lines name `maven:3.9-eclipse-temurin-17` (build stage) and
#   `eclipse-temurin:17-jre` (runtime). They cannot be pulled here, so this script builds local
#   STAND-INS under exactly those names: a minimal Debian (debootstrap, the host's own release) with
#   Debian's OpenJDK 17 JRE, and for the build stage also Debian's OpenJDK 17 JDK and Maven (3.8.x,
#   not 3.9). They carry the label io.ringcache.stand-in=true; a real image already present under
#   either name is used as it is. What this proves: the Dockerfile builds and the compose cluster
#   works on a Debian userland with a Debian JDK; what it does not: the Temurin images' own contents.
#   Stand-ins already present are reused (delete them with `podman rmi` to rebuild).
# - HEALTHCHECKS: podman runs them from systemd timers, and there is no systemd here, so a loop in
#   this script runs `podman healthcheck run` for every container of the project every 2 s, as the
#   timer would.
# - RESTARTS: `restart: unless-stopped` is honoured by podman itself (conmon's exit hook restarts
#   the container, no systemd needed); the crash step checks exactly that. It kills the node's java
#   with kill -9 from the host, as a crash would: `podman kill -s KILL` counts as stopped by the
#   user, and then podman (rightly, for unless-stopped) does not restart it (seen here: restart
#   count 0 after podman kill, 1 within 4 s after kill -9).
#
# Network: only the compose project's own container network and the host's loopback (the router's
# ports are published on 127.0.0.1). The image build reaches Maven Central, the stand-ins Debian's
# mirror, as the real ones would.
#
# Environment (all optional):
#   RINGCACHE_E2E_PROJECT   compose project name (default ringcache-e2e)
#   RINGCACHE_E2E_KEYS      keys written before the scale step (default 1000)
#   CACHE_PASSWORD, CACHE_ADMIN_TOKEN, CACHE_NODE_MAX_MEMORY ...  passed to docker-compose as usual
# Every wait has a deadline; the script cleans up (down -v, the podman service) on any exit and prints
# the time each phase took.
set -eEuo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PROJECT=${RINGCACHE_E2E_PROJECT:-ringcache-e2e}
KEYS=${RINGCACHE_E2E_KEYS:-1000}
# podman's CNI networks resolve container names through the dnsname plugin
PACKAGES=(podman buildah runc conmon containernetworking-plugins golang-github-containernetworking-plugin-dnsname
  debootstrap docker-compose redis-tools curl)
STANDIN_LABEL=io.ringcache.stand-in
STANDIN_REVISION=2 # bump when build_standins changes: older stand-ins are then rebuilt

WORK=$(mktemp -d /tmp/ringcache-e2e.XXXXXX)
SOCK="$WORK/podman.sock"
SERVICE_PID=
HEALTH_PID=
T_START=$SECONDS
T_PHASE=$SECONDS
PHASE=setup
TIMINGS=()
COMPOSE_UP=false

log() { printf '[e2e %4ds] %s\n' "$((SECONDS - T_START))" "$*"; }
fail() { log "FAIL: $*"; exit 1; }
phase() {
  TIMINGS+=("$(printf '%-34s %4ds' "$PHASE" "$((SECONDS - T_PHASE))")")
  PHASE=$1
  T_PHASE=$SECONDS
  log "== $1"
}

# podman with the settings this machine needs, in a containers.conf of its own (CONTAINERS_CONF): runc,
# cgroupfs and file events (no systemd), and resource limits no higher than this sandbox lets a
# process raise them to (podman's defaults ask for more and runc then fails: "error setting rlimit").
# The API service started below reads the same file, and so do the containers' exit hooks.
NOFILE=$(ulimit -Hn)
if [ "$NOFILE" = unlimited ] || [ "$NOFILE" -gt 65536 ]; then NOFILE=65536; fi
export CACHE_NOFILE_LIMIT=${CACHE_NOFILE_LIMIT:-$NOFILE}
export CACHE_NPROC_LIMIT=${CACHE_NPROC_LIMIT:-32768} # the most this sandbox lets runc set
# This 2-core machine is shared with parallel builds (load averages of 20 were seen): a freshly
# started node4 was starved for 4 s mid-join, missed 3 health checks (1.5 s) and was ejected. The
# router then tolerates 10 misses (5 s) here; the compose default stays 3.
export CACHE_ROUTER_HEALTH_MISSES=${CACHE_ROUTER_HEALTH_MISSES:-10}
export CONTAINERS_CONF="$WORK/containers.conf"
cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = ["nofile=$NOFILE:$NOFILE", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
pm() { podman "$@"; }
compose() { timeout "${COMPOSE_TIMEOUT:-300}" docker-compose -p "$PROJECT" -f "$ROOT/docker-compose.yml" "$@"; }

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND every second until it succeeds.
wait_for() {
  local what=$1 limit=$2 deadline=$((SECONDS + $2))
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out after ${limit}s waiting for: $what"
    sleep 1
  done
}

cleanup() {
  local rc=$?
  trap - ERR # what cleanup finds already gone is no failure
  set +e
  if [ "$COMPOSE_UP" = true ] && [ -S "$SOCK" ]; then
    if [ $rc -ne 0 ]; then
      log "failed; the project's containers and their last log lines:"
      pm ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}} {{.Status}}'
      for c in $(pm ps -a -q --filter "label=com.docker.compose.project=$PROJECT"); do
        echo "--- $(pm inspect -f '{{.Name}}' "$c")"
        pm logs --tail 25 "$c" 2>&1
      done
    fi
    log "cleanup: docker-compose down -v"
    COMPOSE_TIMEOUT=120 compose --profile scale down -v --remove-orphans >/dev/null 2>&1
  fi
  [ -n "$HEALTH_PID" ] && kill "$HEALTH_PID" 2>/dev/null
  if [ -n "$SERVICE_PID" ]; then
    kill "$SERVICE_PID" 2>/dev/null
    wait "$SERVICE_PID" 2>/dev/null
  fi
  # a stand-in build cut short may leave proc (ours, or debootstrap's) mounted in its root
  for m in $(awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r); do umount "$m"; done
  rm -rf "$WORK"
  phase done
  printf '%s\n' "timings:" "${TIMINGS[@]}" "total                              $((SECONDS - T_START))s"
  exit $rc
}
trap cleanup EXIT
trap 'log "FAIL: line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || fail "run as root (podman's rootful storage, debootstrap)"

# --- packages ----------------------------------------------------------------------------------
phase packages
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -qq
  timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- stand-ins for the Dockerfile's base images -------------------------------------------------
phase stand-in-images
mapfile -t FROMS < <(awk 'toupper($1) == "FROM" { print $2 }' "$ROOT/Dockerfile")
[ ${#FROMS[@]} -eq 2 ] || fail "expected two FROM lines in the Dockerfile (build, runtime), found: ${FROMS[*]}"
BUILD_BASE=${FROMS[0]}
RUNTIME_BASE=${FROMS[1]}
# the names Docker resolves these short names to; podman then finds them locally, no pull
qualify() { case "$1" in */*/*) echo "$1" ;; */*) echo "docker.io/$1" ;; *) echo "docker.io/library/$1" ;; esac; }

build_standins() {
  local rootfs="$WORK/rootfs" suite mirror arch java_home
  suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | grep -oE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' | awk '{print $2}' | head -n1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  arch=$(dpkg --print-architecture)
  java_home=/usr/lib/jvm/java-17-openjdk-$arch
  log "debootstrap $suite ($arch) from $mirror with openjdk-17-jre-headless"
  timeout 900 debootstrap --variant=minbase --include=ca-certificates,openjdk-17-jre-headless \
    "$suite" "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 20 "$WORK/debootstrap.log"; fail "debootstrap failed"; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  import_rootfs "$rootfs" "$(qualify "$RUNTIME_BASE")" "$RUNTIME_BASE" \
    "Debian $suite with Debian's openjdk-17-jre-headless" "$java_home"

  log "adding openjdk-17-jdk-headless and maven for the build stage's stand-in"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  mount -t proc proc "$rootfs/proc"
  if ! timeout 900 chroot "$rootfs" /bin/sh -c 'export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq && apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless maven' \
      >"$WORK/chroot-apt.log" 2>&1; then
    umount "$rootfs/proc"
    tail -n 20 "$WORK/chroot-apt.log"
    fail "installing the JDK and Maven into the build stand-in failed"
  fi
  umount "$rootfs/proc"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  import_rootfs "$rootfs" "$(qualify "$BUILD_BASE")" "$BUILD_BASE" \
    "Debian $suite with Debian's openjdk-17-jdk-headless and maven" "$java_home"
  rm -rf "$rootfs"
}

# import_rootfs DIR IMAGE STANDS_IN_FOR DESCRIPTION JAVA_HOME
import_rootfs() {
  local dir=$1 image=$2 for=$3 what=$4 java_home=$5
  : >"$dir/etc/resolv.conf"
  # the certificate authorities this host trusts (its way to the registries may pass a proxy whose
  # authority only the host's store holds): the PEM bundle and Java's store, as the host has them
  cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
  [ ! -f /etc/ssl/certs/java/cacerts ] || cp /etc/ssl/certs/java/cacerts "$dir/etc/ssl/certs/java/cacerts"
  tar -C "$dir" --numeric-owner --exclude=./proc/* --exclude=./sys/* --exclude=./dev/* -cf - . \
    | pm import --quiet \
      --change "LABEL $STANDIN_LABEL=true" \
      --change "LABEL $STANDIN_LABEL.revision=$STANDIN_REVISION" \
      --change "LABEL $STANDIN_LABEL.for=$for" \
      --change "LABEL $STANDIN_LABEL.contents=\"$what\"" \
      --change "ENV JAVA_HOME=$java_home" \
      --change "ENV LANG=C.UTF-8" \
      --change 'CMD ["/bin/bash"]' \
      - "$image" >/dev/null
  log "stand-in for $for: $image ($what)"
}

# usable: a stand-in of this revision, or a real image (no stand-in label) that someone provided
usable_image() {
  local label
  pm image exists "$1" || return 1
  label=$(pm image inspect --format "{{index .Labels \"$STANDIN_LABEL.revision\"}}|{{index .Labels \"$STANDIN_LABEL\"}}" "$1")
  [ "$label" = "$STANDIN_REVISION|true" ] || [ "$label" = "|" ] || [ "$label" = "<no value>|<no value>" ]
}
if usable_image "$(qualify "$BUILD_BASE")" && usable_image "$(qualify "$RUNTIME_BASE")"; then
  for img in "$BUILD_BASE" "$RUNTIME_BASE"; do
    label=$(pm image inspect --format "{{index .Labels \"$STANDIN_LABEL\"}}" "$(qualify "$img")" 2>/dev/null || true)
    log "reusing $img ($([ "$label" = true ] && echo "local stand-in, revision $STANDIN_REVISION" || echo "not a stand-in: used as it is"))"
  done
else
  build_standins
fi

# --- the engine: podman's Docker API on a private socket ----------------------------------------
phase podman-service
podman system service --time=0 "unix://$SOCK" >"$WORK/podman-service.log" 2>&1 & # not via pm(): $! is podman
SERVICE_PID=$!
export DOCKER_HOST="unix://$SOCK"
wait_for "podman API on $SOCK" 30 curl -fsS --unix-socket "$SOCK" http://d/_ping
# leftovers of an interrupted earlier run
COMPOSE_TIMEOUT=120 compose --profile scale down -v --remove-orphans >/dev/null 2>&1 || true

# --- build --------------------------------------------------------------------------------------
phase image-build
# docker-compose v1 builds every service that has a build section, one after the other, and here they
# all share one image (build: . and image: ringcache:local): build each image once, through the first
# service that names it (the other four builds found every layer cached and still took about 45 s
# each at load 35: the context sent and every step checked again)
mapfile -t BUILD_SERVICES < <(compose config | python3 -c '
import sys, yaml
first = {}
for name, service in (yaml.safe_load(sys.stdin).get("services") or {}).items():
    if "build" in service:
        first.setdefault(service.get("image") or name, name)
print("\n".join(first.values()))')
[ ${#BUILD_SERVICES[@]} -gt 0 ] || fail "no service of docker-compose.yml has a build section"
log "building through: ${BUILD_SERVICES[*]}"
COMPOSE_TIMEOUT=1200 compose build "${BUILD_SERVICES[@]}" >"$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log"; fail "image build"; }
IMAGE=$(awk '$1 == "image:" { print $2; exit }' "$ROOT/docker-compose.yml")
pm image inspect "$IMAGE" >/dev/null || fail "docker-compose build made no image $IMAGE"
log "image $IMAGE: $(pm image inspect --format '{{.Size}}' "$IMAGE") bytes; its layers:"
pm history --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" | cut -c1-150 | head -n 20

# --- up, and every healthcheck ------------------------------------------------------------------
project_containers() { pm ps -a -q --filter "label=com.docker.compose.project=$PROJECT"; }
drive_healthchecks() {
  while true; do
    for c in $(pm ps -q --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null); do
      timeout 10 podman healthcheck run "$c" >/dev/null 2>&1 || true
    done
    sleep 2
  done
}
all_healthy() {
  local c status n=0
  for c in $(pm ps -q --filter "label=com.docker.compose.project=$PROJECT"); do
    status=$(pm inspect -f '{{.State.Health.Status}}' "$c")
    [ "$status" = healthy ] || return 1
    n=$((n + 1))
  done
  [ "$n" -ge "$1" ]
}

phase up-until-healthy
for port in 7000 7070; do # the ports the compose file publishes on the host's loopback
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "127.0.0.1:$port is already in use (a local cluster? bin/cachectl cluster down): the compose file publishes it"
  fi
done
COMPOSE_UP=true
drive_healthchecks &
HEALTH_PID=$!
T_UP=$SECONDS
compose up -d >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; fail "docker-compose up -d"; }
wait_for "router and 3 nodes healthy" 120 all_healthy 4
log "router and 3 nodes healthy $((SECONDS - T_UP))s after 'up -d'"

# memory limits: every service has one (docker-compose.yml's mem_limit)
for c in $(project_containers); do
  mem=$(pm inspect -f '{{.HostConfig.Memory}}' "$c")
  [ "${mem:-0}" -gt 0 ] || fail "container $(pm inspect -f '{{.Name}}' "$c") has no memory limit"
done

# the heap follows the limit: a node's max heap is 75% of its mem_limit, its store bound inside it
node1=$(compose ps -q node1)
limit=$(pm inspect -f '{{.HostConfig.Memory}}' "$node1")
heap=$(compose exec -T node1 sh -c 'java $RINGCACHE_JAVA_OPTS -XX:+PrintFlagsFinal -version' 2>/dev/null \
  | awk '$2 == "MaxHeapSize" { print $4 }')
log "node1: memory limit $limit bytes, JVM max heap ${heap:-?} bytes"
[ -n "$heap" ] && [ "$heap" -le $((limit * 3 / 4)) ] || fail "node1's max heap ($heap) is not within 75% of its limit ($limit)"

# secure by default: the secrets service made a cluster secret and an admin token (mode 0600), the
# router requires the token, and what it logs about its protection is what it enforces
router_log=$(compose logs --no-color router 2>&1)
TOKEN=$(compose exec -T router cat /var/lib/ringcache/secrets/admin-token | tr -d '\r\n')
[ -n "$TOKEN" ] || fail "no admin token in the secrets volume"
[ -z "${CACHE_ADMIN_TOKEN:-}" ] || [ "$TOKEN" = "$CACHE_ADMIN_TOKEN" ] || fail "the admin token is not the one given in CACHE_ADMIN_TOKEN"
mode=$(compose exec -T router stat -c '%a' /var/lib/ringcache/secrets/admin-token /var/lib/ringcache/secrets/cluster-secret | tr -d '\r' | sort -u)
[ "$mode" = 600 ] || fail "the secret files' mode is $mode, not 600"
ADMIN_AUTH=(-H "Authorization: Bearer $TOKEN")
admin_status=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:7070/topology)
[ "$admin_status" = 401 ] || fail "GET /topology without the token: $admin_status (the compose cluster always has one)"
admin_status=$(curl -s -o /dev/null -w '%{http_code}' "${ADMIN_AUTH[@]}" http://127.0.0.1:7070/topology)
[ "$admin_status" = 200 ] || fail "GET /topology with the token: $admin_status"
grep -q 'token required' <<<"$router_log" || fail "the router does not say that its admin API requires a token"
if [ -z "${CACHE_PASSWORD:-}" ]; then
  grep -q 'not loopback) without' <<<"$router_log" || fail "the router bound beyond loopback without a password did not warn"
fi

# --- data through the router's published port, with redis-cli and the Java client ---------------
phase data-and-status
export REDISCLI_AUTH=${CACHE_PASSWORD:-}
[ -n "$REDISCLI_AUTH" ] || unset REDISCLI_AUTH
rc() { timeout 30 redis-cli -h 127.0.0.1 -p 7000 "$@"; }
# the README's compose section, command by command
compose ps
[ "$(rc set hello world)" = OK ] || fail "redis-cli SET through 127.0.0.1:7000"
[ "$(rc get hello)" = world ] || fail "redis-cli GET through 127.0.0.1:7000"
# The Java client routes each key straight to its node, at the address the topology advertises
# (node1:7001 ...), which only resolves on the compose network: so it runs there, in the router's
# container (`cachectl get/put` are the Java client).
ctl() { compose exec -T router cachectl "$@"; }
[ "$(ctl put user:1 alice | tr -d '\r')" = OK ] || fail "cachectl put (Java client)"
[ "$(ctl get user:1 | tr -d '\r')" = alice ] || fail "cachectl get (Java client)"
[ "$(rc get user:1)" = alice ] || fail "a key the Java client wrote, read by redis-cli through the proxy"
[ "$(ctl get hello | tr -d '\r')" = world ] || fail "a key redis-cli wrote, read by the Java client"
ctl status

# --- scale: 1000 keys, a fourth node joins, every key is still there -----------------------------
phase scale-add-node4
write_keys() { # PREFIX COUNT
  local i
  for ((i = 1; i <= $2; i++)); do printf 'SET %s:%d v%d\n' "$1" "$i" "$i"; done | rc >"$WORK/set.out"
  [ "$(grep -c '^OK$' "$WORK/set.out")" -eq "$2" ] || fail "not every SET of $1:* answered OK: $(sort "$WORK/set.out" | uniq -c | head)"
}
# check_keys PREFIX COUNT ALLOW_MISSES: every key has its value; with ALLOW_MISSES a miss is allowed
# (a crashed node's keys are lost with it) but a wrong value never is.
check_keys() {
  local i wrong=0 missing=0
  for ((i = 1; i <= $2; i++)); do printf 'GET %s:%d\n' "$1" "$i"; done | rc >"$WORK/get.out"
  i=0
  while IFS= read -r v; do
    i=$((i + 1))
    if [ -z "$v" ]; then missing=$((missing + 1)); elif [ "$v" != "v$i" ]; then wrong=$((wrong + 1)); fi
  done <"$WORK/get.out"
  [ "$i" -eq "$2" ] || fail "expected $2 replies to GET $1:*, got $i"
  [ "$wrong" -eq 0 ] || fail "$wrong of $2 keys $1:* read back a wrong value"
  if [ "$3" = no ] && [ "$missing" -ne 0 ]; then fail "$missing of $2 keys $1:* are missing"; fi
  log "$1:*: $(($2 - missing)) of $2 read back correctly, $missing missing"
}
write_keys before "$KEYS"
check_keys before "$KEYS" no
compose --profile scale up -d node4 >"$WORK/up4.log" 2>&1 || { cat "$WORK/up4.log"; fail "up -d node4"; }
wait_for "node4 healthy" 90 all_healthy 5
T_ADD=$SECONDS
COMPOSE_TIMEOUT=180 compose exec -T router cachectl add node4:7001 >"$WORK/add.out" 2>&1 \
  || { tr '\r' '\n' <"$WORK/add.out" | tail -n 5; fail "cachectl add node4:7001"; }
tr '\r' '\n' <"$WORK/add.out" | grep -v '^$' | tail -n 2
log "cachectl add node4:7001 took $((SECONDS - T_ADD))s"
# read the whole status first: with pipefail, grep -q closing the pipe early fails the pipeline
ctl status >"$WORK/status-after-add.out"
cat "$WORK/status-after-add.out"
grep -q 'node4:7001' "$WORK/status-after-add.out" || fail "node4:7001 is not in the topology after cachectl add"
check_keys before "$KEYS" no

# --- crash: kill -9 a node's main process; its restart policy brings it back ---------------------
phase crash-node2-and-restart
victim=$(compose ps -q node2)
pid=$(pm inspect -f '{{.State.Pid}}' "$victim")
restarts=$(pm inspect -f '{{.RestartCount}}' "$victim")
log "kill -9 of node2's java (pid $pid on the host)"
kill -9 "$pid"
restarted() { [ "$(pm inspect -f '{{.RestartCount}}' "$victim")" -gt "$restarts" ] && [ "$(pm inspect -f '{{.State.Running}}' "$victim")" = true ]; }
wait_for "node2's container restarted by its restart policy" 60 restarted
log "node2 restarted by podman (restart count $(pm inspect -f '{{.RestartCount}}' "$victim"))"
wait_for "router, node1-4 healthy again" 120 all_healthy 5
# the router ejects the crashed incarnation and re-admits the new process through a normal join
node2_up() { curl -fsS "${ADMIN_AUTH[@]}" http://127.0.0.1:7070/topology | grep -Eq '"name" *: *"node2:7001"[^}]*"state" *: *"UP"'; }
wait_for "node2:7001 back in the ring (UP)" 120 node2_up
ctl status
check_keys before "$KEYS" yes
write_keys after "$KEYS"
check_keys after "$KEYS" no

# --- recreate: a node's container replaced (a changed setting, `up --force-recreate`); it comes back
# under its name, often at another address, which the router must dial instead of the old one
# (docs/operations.md, "What a node container's restart does") --------------------------------------
phase recreate-node3
topology() { curl -fsS "${ADMIN_AUTH[@]}" http://127.0.0.1:7070/topology; }
node_field() { # NAME FIELD: that field of node NAME in the router's topology
  topology | python3 -c 'import json, sys
print(next(str(n.get(sys.argv[2])) for n in json.load(sys.stdin)["nodes"] if n["name"] == sys.argv[1]))' "$1" "$2"
}
container_ip() { pm inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$1"; }
incarnation=$(node_field node3:7001 incarnation)
old_ip=$(container_ip "$(compose ps -q node3)")
T_RECREATE=$SECONDS
compose up -d --force-recreate --no-deps node3 >"$WORK/recreate.log" 2>&1 || { cat "$WORK/recreate.log"; fail "up -d --force-recreate node3"; }
log "node3's container recreated: address ${old_ip}-> $(container_ip "$(compose ps -q node3)")"
node3_readmitted() {
  [ "$(node_field node3:7001 incarnation)" != "$incarnation" ] && [ "$(node_field node3:7001 state)" = UP ] \
    && topology | python3 -c 'import json, sys; sys.exit(1 if json.load(sys.stdin)["handoffs"] else 0)'
}
wait_for "node3:7001 re-admitted after its container was recreated" 120 node3_readmitted
log "node3:7001 re-admitted $((SECONDS - T_RECREATE))s after 'up -d --force-recreate node3'"
wait_for "router, node1-4 healthy again" 120 all_healthy 5
check_keys after "$KEYS" yes
write_keys recreated "$KEYS"
check_keys recreated "$KEYS" no

# --- down -v leaves nothing ----------------------------------------------------------------------
phase down
compose --profile scale down -v >"$WORK/down.log" 2>&1 || { cat "$WORK/down.log"; fail "down -v"; }
COMPOSE_UP=false
left=$(pm ps -a -q --filter "label=com.docker.compose.project=$PROJECT")
[ -z "$left" ] || fail "containers left after down -v: $left"
left=$(pm network ls -q --filter "label=com.docker.compose.project=$PROJECT")
[ -z "$left" ] || fail "networks left after down -v: $left"
left=$(pm volume ls -q --filter "label=com.docker.compose.project=$PROJECT")
[ -z "$left" ] || fail "volumes left after down -v: $left"
log "PASS: nothing of project $PROJECT is left"
