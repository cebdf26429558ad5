#!/usr/bin/env bash
# Lays out the image's programs, run by the Dockerfile's build stage after
#   mvn ... -pl cache-node,cache-router,cache-cli -am package dependency:build-classpath \
#       -DincludeScope=runtime -Dmdep.outputFile=target/runtime.classpath
# Instead of three fat jars (each ~33 MB with every Netty codec and every platform's natives), the
# image holds:
#   /opt/ringcache/lib/   the third-party jars all three programs share, each once (one layer that
#                         changes only when a dependency does)
#   /opt/ringcache/app/   the project's own thin jars (cache-ring, cache-client, cache-node, ...)
#   /opt/ringcache/NAME.args   a java @argfile per program: its classpath (its own jar first, then
#                         its dependencies in Maven's order) and its main class
# Left out: native libraries for other platforms than Linux x86_64 and aarch64 (macOS, Windows,
# riscv64) and the Netty modules no program uses (listed below: HTTP/2 and /3, QUIC,
# kqueue, the other protocol codecs). Each program is started once (--help) to prove its classpath.
#
#   docker/layout.sh SRC_DIR DEST_DIR      (DEST_DIR is /opt/ringcache in the image)
set -euo pipefail
src=$1
dest=$2
mkdir -p "$dest/lib" "$dest/app"

# Netty modules that nothing of ours uses (the code uses channel, buffer, bootstrap, epoll, io_uring, handler
# (ssl, timeout), codec and codec-http; netty-all is only an aggregating pom-like jar).
unused_netty='^netty-(all|codec-(http2|http3|classes-quic|native-quic|memcache|mqtt|redis|smtp|socks|stomp|xml|protobuf|marshalling|haproxy)|handler-proxy|handler-ssl-ocsp|transport-(rxtx|sctp|udt|classes-kqueue|native-kqueue)|resolver-dns-(classes|native)-macos)-[0-9]'

keep_jar() {
  local name=$1
  case "$name" in
    *-linux-x86_64.jar | *-linux-aarch_64.jar) ;;            # natives for the two Linux platforms
    *-osx-*.jar | *-windows-*.jar | *-linux-*.jar) return 1 ;; # any other platform's natives
  esac
  ! [[ "$name" =~ $unused_netty ]]
}

# program  module  main class
programs=(
  "node cache-node io.ringcache.node.CacheNode"
  "router cache-router io.ringcache.router.RouterMain"
  "cachectl cache-cli io.ringcache.cli.CacheCtl"
)
for entry in "${programs[@]}"; do
  read -r program module main <<<"$entry"
  own=$(ls "$src/$module/target/$module"-*.jar | grep -v -- '-tests\.jar$' | head -n1)
  cp "$own" "$dest/app/"
  cp_entries=("$dest/app/$(basename "$own")")
  IFS=: read -r -a deps <"$src/$module/target/runtime.classpath" || true # no final newline
  for dep in "${deps[@]}"; do
    name=$(basename "$dep")
    if [[ "$dep" == "$src"/* ]]; then # a module of this build
      cp -n "$dep" "$dest/app/"
      cp_entries+=("$dest/app/$name")
    elif keep_jar "$name"; then
      cp -n "$dep" "$dest/lib/"
      cp_entries+=("$dest/lib/$name")
    fi
  done
  (IFS=:; printf -- '-cp %s\n%s\n' "${cp_entries[*]}" "$main") >"$dest/$program.args"
  java "@$dest/$program.args" --help >/dev/null || { echo "layout: $program does not start from $dest/$program.args" >&2; exit 1; }
done
echo "layout: $(ls "$dest/lib" | wc -l) shared jars ($(du -sh "$dest/lib" | cut -f1)), $(ls "$dest/app" | wc -l) application jars ($(du -sh "$dest/app" | cut -f1))"
