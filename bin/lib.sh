# Shared by the launchers in bin/: finds a module's runnable jar and builds it first when it is
# missing or older than the sources, so that a fresh clone needs no separate build step.
# Source it, then: jar=$(ringcache_jar MODULE JAR_NAME)

# RINGCACHE_HOME is exported: `cachectl cluster` starts bin/cache-node and bin/cache-router from it.
RINGCACHE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export RINGCACHE_HOME

ringcache_jar() {
  local module=$1 name=$2
  local jar="$RINGCACHE_HOME/$module/target/$name.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$RINGCACHE_HOME" -maxdepth 1 -name pom.xml -newer "$jar" -print -quit)" ] \
    || [ -n "$(find "$RINGCACHE_HOME"/*/pom.xml "$RINGCACHE_HOME"/*/src/main -newer "$jar" -print -quit 2>/dev/null)" ]; then
    command -v mvn >/dev/null || { echo "ringcache: $name.jar is missing and Maven (mvn) is not installed to build it" >&2; return 1; }
    echo "ringcache: building $name.jar (first run or sources changed; this takes a minute)..." >&2
    local log
    log=$(mktemp)
    if ! (cd "$RINGCACHE_HOME" && mvn -q -B -DskipTests -pl "$module" -am package) >"$log" 2>&1; then
      echo "ringcache: build failed; the last lines of Maven's output:" >&2
      tail -n 30 "$log" >&2
      rm -f "$log"
      return 1
    fi
    rm -f "$log"
    touch "$jar"
  fi
  printf '%s\n' "$jar"
}
