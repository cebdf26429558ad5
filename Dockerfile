# syntax=docker/dockerfile:1
# One image for the node, the router and cachectl: docker/entrypoint.sh picks by its first argument
# (node | router | cachectl | health). docker-compose.yml runs a router and three nodes from it.
#
#   docker build -t ringcache .
#   docker run --rm ringcache node --help

# --- build: the programs, laid out as shared jars + thin application jars -----------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# every module of the parent pom (Maven reads each module's pom even when it builds only some)
COPY pom.xml ./
COPY cache-ring cache-ring
COPY cache-resp cache-resp
COPY cache-client cache-client
COPY cache-node cache-node
COPY cache-router cache-router
# built too: the tests of cache-node, cache-router and cache-cli depend on them (test scope), and -am follows test-scoped modules
COPY cache-testkit-core cache-testkit-core
COPY cache-testkit cache-testkit
COPY cache-cli cache-cli
COPY cache-jcache/pom.xml cache-jcache/pom.xml
COPY cache-bench/pom.xml cache-bench/pom.xml
COPY docker/layout.sh docker/layout.sh
# the Maven repository is a build cache (BuildKit, buildah), so a source change does not download it
# again; layout.sh then lays out /opt/ringcache (lib/, app/, one java @argfile per program)
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests -Dringcache.shade.skip=true -pl cache-node,cache-router,cache-cli -am \
        package dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=target/runtime.classpath \
 && bash docker/layout.sh /src /opt/ringcache

# --- runtime: a JRE, the jars, a non-root user -------------------------------------------------
FROM eclipse-temurin:17-jre
RUN groupadd --system ringcache \
 && useradd --system --gid ringcache --home-dir /var/lib/ringcache --shell /usr/sbin/nologin ringcache \
 && mkdir -p /opt/ringcache/bin /var/lib/ringcache/router /var/lib/ringcache/secrets \
 && chown -R ringcache:ringcache /var/lib/ringcache \
 && chmod 0700 /var/lib/ringcache/secrets
# shared dependencies first: that layer changes only when a dependency does
COPY --from=build /opt/ringcache/lib /opt/ringcache/lib
COPY --from=build /opt/ringcache/app /opt/ringcache/app
COPY --from=build /opt/ringcache/node.args /opt/ringcache/router.args /opt/ringcache/cachectl.args /opt/ringcache/
COPY docker/entrypoint.sh /opt/ringcache/bin/entrypoint.sh
RUN chmod 0755 /opt/ringcache/bin/entrypoint.sh \
 && ln -s /opt/ringcache/bin/entrypoint.sh /usr/local/bin/cachectl

# Container-aware heap: 75% of the memory limit (a node's --max-memory must fit well inside it).
ENV RINGCACHE_JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" \
    CACHE_ROUTER_DATA_DIR=/var/lib/ringcache/router
USER ringcache
WORKDIR /var/lib/ringcache
VOLUME /var/lib/ringcache/router
# router RESP 7000 and admin 7070; a node 7001; node metrics (when --metrics-port 9100 is given)
EXPOSE 7000 7001 7070 9100
ENTRYPOINT ["/opt/ringcache/bin/entrypoint.sh"]
CMD ["node", "--help"]
