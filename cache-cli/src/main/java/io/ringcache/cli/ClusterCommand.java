package io.ringcache.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/*
 * `cachectl cluster up|status|down`: a router and N nodes as background processes on this machine,
 * all bound to 127.0.0.1. Ports from a base B: router RESP B, router admin B+70, nodes B+1...B+N.
 *
 * up: refuse if the run directory has live processes or any port is taken (nothing is started);
 * build the launchers' jars once, one after the other; start the nodes, wait until each answers
 * PING; start the router with them as its first topology, wait until its /health answers and its
 * /nodes lists every node UP, seen by a health check and holding a lease (so each node holds the
 * topology and serves its keys). Any
 * failure, or Ctrl-C, stops what was started. Every wait has a deadline.
 *
 * down: SIGTERM the router, then the nodes (so the router does not eject nodes as they stop), each
 * group waited for with a deadline, then SIGKILL; pid files removed.
 */

/** {@code cachectl cluster}: a local cluster of background processes. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Run a local cluster (a router and N nodes as background processes on 127.0.0.1).",
    subcommands = {ClusterCommand.Up.class, ClusterCommand.Status.class, ClusterCommand.Down.class},
    footer = {"", "The run directory records the router's admin port: --router and --json do not apply here.",
      "", "Example:", "  cachectl cluster up && redis-cli -p 7001 ping && cachectl cluster down"})
final class ClusterCommand implements Runnable {

  private static final String NODE_LAUNCHER = "cache-node";
  private static final String ROUTER_LAUNCHER = "cache-router";

  @CommandLine.ParentCommand CacheCtl root;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: up, status or down");
  }

  /** The run directory option every subcommand shares. */
  static final class DirOption {
    @Option(names = "--dir", paramLabel = "DIR",
        description = "Run directory: pid files, logs, the router's data, the admin token and cluster secret. "
            + "Default: CACHE_RUN_DIR, else .run/cluster in the ringcache directory.")
    Path dir;

    RunDirectory resolve() {
      return dir != null ? new RunDirectory(dir) : RunDirectory.defaultDirectory();
    }
  }

  @Command(name = "up", mixinStandardHelpOptions = true,
      description = {
        "Start a router and N nodes in the background and wait until all are healthy.",
        "Ports: router RESP B, router admin B+70, nodes B+1..B+N (B = --port-base).",
        "Builds the jars first if they are missing or older than the sources."
      })
  static final class Up implements Callable<Integer> {

    @CommandLine.ParentCommand ClusterCommand parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin DirOption dirOption;

    @Option(names = "--nodes", defaultValue = "3", description = "Number of nodes (1-69). Default: ${DEFAULT-VALUE}.")
    int nodes;

    @Option(names = "--port-base", defaultValue = "7000", paramLabel = "B",
        description = "Router RESP port; admin B+70, nodes B+1... Default: ${DEFAULT-VALUE}.")
    int portBase;

    @Option(names = "--max-memory", paramLabel = "SIZE", description = "Each node's --max-memory (e.g. 64m). Default: the node's.")
    String maxMemory;

    @Option(names = "--requirepass", defaultValue = "${env:CACHE_PASSWORD}", paramLabel = "PASSWORD",
        description = "Password for the nodes and the router (env CACHE_PASSWORD). Default: none.")
    String password;

    @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS",
        description = "How long to wait for the cluster to become healthy (not counting a build). Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds;

    @Option(names = "--tls",
        description = {"Every RESP port speaks TLS only (the nodes', node to node, router to node, the router's),",
          "with a self-signed certificate for 127.0.0.1 made in DIR/tls; clients trust DIR/tls/cluster.pem."})
    boolean tls;

    /** The certificate of this start, when --tls. */
    private ClusterTls certificate;

    /** The admin token of this start: given (--token, CACHE_ADMIN_TOKEN, CACHE_ADMIN_TOKEN_FILE) or made. */
    private String adminToken;

    @Override
    public Integer call() {
      if (nodes < 1 || nodes > 69) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--nodes must be between 1 and 69: " + nodes);
      }
      if (portBase < 1024 || portBase + 70 > 65535) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--port-base must be between 1024 and 65465: " + portBase);
      }
      PrintWriter out = spec.commandLine().getOut();
      Path home = LocalProcesses.home();
      RunDirectory run = dirOption.resolve();
      RunDirectory.Layout layout = RunDirectory.Layout.fromBase(portBase, nodes);

      List<String> running = liveProcesses(run);
      if (!running.isEmpty()) {
        throw new CliException("a cluster is already running from " + run.path() + " (" + String.join(", ", running)
            + "); stop it first: cachectl cluster down" + dirHint(dirOption));
      }
      requireFreePorts(layout);
      LocalProcesses.ensureBuilt(home, NODE_LAUNCHER, Duration.ofMinutes(15));
      LocalProcesses.ensureBuilt(home, ROUTER_LAUNCHER, Duration.ofMinutes(15));
      requireFreePorts(layout); // again: a build takes long enough for something else to start

      run.create();
      for (String stale : run.processesWithPidFiles()) {
        run.removePid(stale);
      }
      run.clearRouterData();
      run.writeLayout(layout);
      writeSecrets(run);
      if (tls) {
        certificate = ClusterTls.create(run.path());
      }

      Startup startup = new Startup(run);
      Thread onInterrupt = new Thread(() -> {
        if (startup.abort()) {
          System.err.println("cachectl: interrupted; stopped the processes cluster up had started");
        }
      }, "cachectl-cluster-abort");
      Runtime.getRuntime().addShutdownHook(onInterrupt);
      try {
        startup.start(home, layout);
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
      } catch (RuntimeException e) {
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
        startup.abort();
        throw e;
      }
      printEndpoints(out, run, layout, home);
      return 0;
    }

    /**
     * The admin token and the cluster secret, given or made, in the run directory with mode 0600;
     * the processes read them from there, so they never appear on a command line.
     */
    private void writeSecrets(RunDirectory run) {
      adminToken = parent.root.admin.explicitToken();
      if (adminToken == null) {
        adminToken = RunDirectory.newSecret();
      }
      RunDirectory.writeSecret(run.adminTokenFile(), adminToken);
      String secret = System.getenv("CACHE_CLUSTER_SECRET");
      String secretFile = System.getenv("CACHE_CLUSTER_SECRET_FILE");
      if (secret == null || secret.isEmpty()) {
        secret = secretFile == null || secretFile.isBlank() ? RunDirectory.newSecret()
            : RunDirectory.readSecret(Path.of(secretFile)).orElseThrow(() -> new CliException(
                "CACHE_CLUSTER_SECRET_FILE " + secretFile + " does not exist or is empty"));
      }
      RunDirectory.writeSecret(run.clusterSecretFile(), secret);
    }

    /** Starts the processes of one {@code up}; {@link #abort} stops whatever it started. */
    private final class Startup {
      private final RunDirectory run;
      private final Map<String, Long> started = new LinkedHashMap<>();
      private boolean done;

      Startup(RunDirectory run) {
        this.run = run;
      }

      void start(Path home, RunDirectory.Layout layout) {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        List<String> names = new ArrayList<>();
        for (int port : layout.nodePorts()) {
          String name = "127.0.0.1:" + port;
          names.add(name);
          List<String> args = new ArrayList<>(List.of(
              "--cluster", "--bind", "127.0.0.1", "--port", Integer.toString(port), "--name", name, "--advertise", name));
          if (maxMemory != null) {
            args.addAll(List.of("--max-memory", maxMemory));
          }
          Map<String, String> env = secret("CACHE_NODE_REQUIREPASS");
          env.put("CACHE_CLUSTER_SECRET", null);
          env.put("CACHE_CLUSTER_SECRET_FILE", run.clusterSecretFile().toString());
          if (certificate != null) {
            args.addAll(List.of("--tls-keystore", certificate.keystore().toString(),
                "--tls-ca-cert", certificate.caCert().toString()));
            env.put("CACHE_NODE_TLS_KEYSTORE_PASSWORD", certificate.password());
          }
          launch(home, NODE_LAUNCHER, RunDirectory.nodeProcess(port), args, env);
        }
        javax.net.ssl.SSLSocketFactory sockets = certificate == null ? null : certificate.sockets();
        for (int port : layout.nodePorts()) {
          awaitUntil(deadline, "node 127.0.0.1:" + port + " to answer PING", RunDirectory.nodeProcess(port),
              () -> LocalProcesses.answersPing(port, password, sockets));
        }
        List<String> args = new ArrayList<>(List.of(
            "--bind", "127.0.0.1",
            "--port", Integer.toString(layout.routerPort()),
            "--admin-port", Integer.toString(layout.adminPort()),
            "--data-dir", run.routerData().toString()));
        for (String name : names) {
          args.addAll(List.of("--node", name));
        }
        Map<String, String> env = secret("CACHE_PASSWORD");
        env.put("CACHE_CLUSTER_SECRET", null);
        env.put("CACHE_CLUSTER_SECRET_FILE", run.clusterSecretFile().toString());
        env.put("CACHE_ADMIN_TOKEN", null);
        env.put("CACHE_ADMIN_TOKEN_FILE", run.adminTokenFile().toString());
        if (certificate != null) {
          args.addAll(List.of("--tls-keystore", certificate.keystore().toString(), "--node-tls",
              "--tls-ca-cert", certificate.caCert().toString()));
          env.put("CACHE_TLS_KEYSTORE_PASSWORD", certificate.password());
        }
        launch(home, ROUTER_LAUNCHER, RunDirectory.ROUTER, args, env);
        AdminClient admin = new AdminClient("127.0.0.1:" + layout.adminPort(), adminToken);
        awaitUntil(deadline, "the router to list every node UP", RunDirectory.ROUTER, () -> allNodesUp(admin, names));
        synchronized (this) {
          done = true;
        }
      }

      /** The password goes in the environment (not on the command line, where ps shows it); none removes the variable. */
      private Map<String, String> secret(String variable) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put(variable, password == null || password.isEmpty() ? null : password);
        return env;
      }

      private void launch(Path home, String launcher, String process, List<String> args, Map<String, String> env) {
        long pid = LocalProcesses.startDetached(home, launcher, args, env, run.path(), run.log(process));
        synchronized (this) {
          started.put(process, pid);
        }
        run.writePid(process, pid);
      }

      /** Polls until {@code condition} holds; fails at the deadline or when a started process has exited. */
      private void awaitUntil(long deadline, String what, String logOf, java.util.function.BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
          for (Map.Entry<String, Long> e : startedSnapshot().entrySet()) {
            if (ProcessHandle.of(e.getValue()).map(LocalProcesses::isAlive).orElse(false)) {
              continue;
            }
            throw new CliException(e.getKey() + " (pid " + e.getValue() + ") exited during startup; the end of "
                + run.log(e.getKey()) + ":" + System.lineSeparator() + run.tail(e.getKey(), 15));
          }
          if (System.nanoTime() - deadline > 0) {
            throw new CliException("timed out after " + timeoutSeconds + " s waiting for " + what + "; the end of "
                + run.log(logOf) + ":" + System.lineSeparator() + run.tail(logOf, 15));
          }
          LocalProcesses.pause();
        }
      }

      private synchronized Map<String, Long> startedSnapshot() {
        return new LinkedHashMap<>(started);
      }

      /** Stops every process this startup launched, unless it completed; true if there were any. */
      boolean abort() {
        Map<String, Long> toStop;
        synchronized (this) {
          if (done || started.isEmpty()) {
            return false;
          }
          toStop = new LinkedHashMap<>(started);
          started.clear();
        }
        stopProcesses(run, new ArrayList<>(toStop.keySet()), Duration.ofSeconds(10));
        return true;
      }
    }

    private static boolean allNodesUp(AdminClient admin, List<String> names) {
      JsonNode nodes;
      try {
        admin.get("/health");
        nodes = admin.get("/nodes");
      } catch (CliException e) {
        return false; // not listening yet
      }
      int up = 0;
      for (JsonNode n : nodes) {
        if (names.contains(n.path("name").asText()) && n.path("state").asText().equals("UP")
            && !n.path("lastSeen").isNull() && n.path("healthMisses").asInt(-1) == 0
            && n.path("leaseMillis").asLong(-1) > 0) { // admitted: it serves its keys
          up++;
        }
      }
      return up == names.size();
    }

    private void printEndpoints(PrintWriter out, RunDirectory run, RunDirectory.Layout layout, Path home) {
      Path cwd = Path.of("").toAbsolutePath();
      String dir = relative(cwd, run.path());
      String bin = relative(cwd, home.resolve("bin"));
      out.printf("ringcache cluster is up: a router and %d node%s (run directory %s)%n%n", layout.nodePorts().size(),
          layout.nodePorts().size() == 1 ? "" : "s", dir);
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"PROCESS", "ENDPOINT", "PID", "LOG"});
      rows.add(new String[] {"router", "http://127.0.0.1:" + layout.adminPort() + " (admin API)",
          pidText(run, RunDirectory.ROUTER), relative(cwd, run.log(RunDirectory.ROUTER))});
      boolean routerResp = LocalProcesses.listening(layout.routerPort());
      String resp = certificate == null ? "RESP" : "RESP, TLS";
      if (routerResp) {
        rows.add(new String[] {"", "127.0.0.1:" + layout.routerPort() + " (" + resp + ", any key)", "", ""});
      }
      for (int port : layout.nodePorts()) {
        String process = RunDirectory.nodeProcess(port);
        rows.add(new String[] {"node", "127.0.0.1:" + port + " (" + resp + ")", pidText(run, process), relative(cwd, run.log(process))});
      }
      Format.table(rows, out);
      int first = layout.nodePorts().get(0);
      int next = layout.nodePorts().get(layout.nodePorts().size() - 1) + 1;
      String routerOption = layout.adminPort() == 7070 ? "" : " --router 127.0.0.1:" + layout.adminPort();
      String dirOptionText = dirHint(dirOption);
      out.println();
      if (certificate != null) {
        String pem = relative(cwd, certificate.caCert());
        out.printf("TLS:               every RESP port; clients trust %s%n", pem);
        out.printf("Try it:            redis-cli --tls --cacert %s -p %d set hello world%n", pem, layout.routerPort());
        out.printf("                   %s/cachectl get --tls-ca-cert %s hello%s%n", bin, pem, routerOption);
      } else if (routerResp) {
        out.printf("Try it:            redis-cli -p %d set hello world%n", layout.routerPort());
      } else {
        out.printf("The router does not serve RESP on %d in this build; talk to the nodes (-c follows -MOVED to the owner):%n",
            layout.routerPort());
        out.printf("Try it:            redis-cli -c -p %d set hello world && redis-cli -c -p %d get hello%n", first, first);
      }
      out.printf("Admin token:       %s (mode 0600; cachectl finds it there)%n", relative(cwd, run.adminTokenFile()));
      out.printf("The cluster:       %s/cachectl status%s%n", bin, routerOption);
      out.printf("Which node has it: %s/cachectl locate hello%s%n", bin, routerOption);
      if (next != layout.adminPort()) {
        out.println("Add a node:");
        if (certificate != null) {
          Path tlsDir = certificate.keystore().getParent();
          out.printf("  CACHE_CLUSTER_SECRET_FILE=%s CACHE_NODE_TLS_KEYSTORE_PASSWORD=$(cat %s/keystore-password) \\%n"
                  + "    %s/cache-node --cluster --port %d --name 127.0.0.1:%d \\%n"
                  + "    --tls-keystore %s --tls-ca-cert %s >%s/node-%d.log 2>&1 &%n",
              relative(cwd, run.clusterSecretFile()), relative(cwd, tlsDir), bin, next, next, relative(cwd, certificate.keystore()),
              relative(cwd, certificate.caCert()), relative(cwd, run.logs()), next);
        } else {
          out.printf("  CACHE_CLUSTER_SECRET_FILE=%s %s/cache-node --cluster --port %d --name 127.0.0.1:%d >%s/node-%d.log 2>&1 &%n",
              relative(cwd, run.clusterSecretFile()), bin, next, next, relative(cwd, run.logs()), next);
        }
        out.printf("  %s/cachectl add 127.0.0.1:%d%s%s%n", bin, next, routerOption,
            dirOption.dir == null ? "" : " (with CACHE_RUN_DIR=" + dir + " or CACHE_ADMIN_TOKEN_FILE="
                + relative(cwd, run.adminTokenFile()) + ")");
        out.println("  (cluster down stops only the processes cluster up started: stop that one with kill %1)");
      }
      out.printf("Stop it:           %s/cachectl cluster down%s%n", bin, dirOptionText);
      out.flush();
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = {"Show which processes of the local cluster are running, and the router's view of the nodes.",
        "Exit code 0 when every process it started is running, 1 otherwise."})
  static final class Status implements Callable<Integer> {

    @CommandLine.ParentCommand ClusterCommand parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin DirOption dirOption;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      RunDirectory run = dirOption.resolve();
      Optional<RunDirectory.Layout> layout = run.layout();
      List<String> processes = run.processesWithPidFiles();
      if (layout.isEmpty() || processes.isEmpty()) {
        out.println("no local cluster in " + run.path() + " (start one: cachectl cluster up" + dirHint(dirOption) + ")");
        out.flush();
        return 1;
      }
      RunDirectory.Layout l = layout.get();
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"PROCESS", "PORT", "PID", "STATE", "LOG"});
      int alive = 0;
      for (String process : processes) {
        boolean router = process.equals(RunDirectory.ROUTER);
        Optional<Long> pid = run.readPid(process);
        boolean up = pid.flatMap(p -> LocalProcesses.live(p, router ? ROUTER_LAUNCHER : NODE_LAUNCHER)).isPresent();
        alive += up ? 1 : 0;
        String port = router ? l.routerPort() + ", admin " + l.adminPort() : process.substring("node-".length());
        rows.add(new String[] {process, port, pid.map(String::valueOf).orElse("?"), up ? "running" : "STOPPED",
            run.log(process).toString()});
      }
      Format.table(rows, out);
      out.println();
      try {
        String admin = "127.0.0.1:" + l.adminPort();
        JsonNode nodes = new AdminClient(admin, parent.root.admin.token(admin, Optional.of(run))).get("/nodes");
        out.println("The router's view:");
        List<String[]> view = new ArrayList<>();
        view.add(new String[] {"NODE", "ADDRESS", "STATE", "KEYS"});
        for (JsonNode n : nodes) {
          view.add(new String[] {n.path("name").asText(), n.path("address").asText(), n.path("state").asText(),
              n.path("keys").isNull() ? "-" : n.path("keys").asText()});
        }
        Format.table(view, out);
      } catch (CliException e) {
        out.println("The router's view: unavailable (" + e.getMessage() + ")");
      }
      out.flush();
      return alive == processes.size() ? 0 : 1;
    }
  }

  @Command(name = "down", mixinStandardHelpOptions = true,
      description = {"Stop the processes cluster up started (by the pids in the run directory): SIGTERM, then SIGKILL",
        "after --timeout. Processes started by hand are left alone."})
  static final class Down implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin DirOption dirOption;

    @Option(names = "--timeout", defaultValue = "15", paramLabel = "SECONDS",
        description = "How long to wait after SIGTERM before SIGKILL. Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      RunDirectory run = dirOption.resolve();
      List<String> processes = run.processesWithPidFiles();
      if (processes.isEmpty()) {
        out.println("no local cluster is running from " + run.path());
        out.flush();
        return 0;
      }
      StopResult result = stopProcesses(run, processes, Duration.ofSeconds(timeoutSeconds));
      for (String p : result.stopped()) {
        out.println("stopped " + p);
      }
      for (String p : result.notRunning()) {
        out.println(p + " was not running (removed its pid file)");
      }
      out.flush();
      if (!result.left().isEmpty()) {
        throw new CliException("still running after SIGKILL: " + String.join(", ", result.left()));
      }
      return 0;
    }
  }

  /** What {@link #stopProcesses} did: stopped, found not running (stale pid file), still running. */
  record StopResult(List<String> stopped, List<String> notRunning, List<String> left) {}

  /**
   * Stops the named processes of a run directory, router first, then the nodes; removes the pid
   * files of those that are gone. A pid file whose process is gone, or whose pid now belongs to
   * another program, only has its file removed.
   */
  static StopResult stopProcesses(RunDirectory run, List<String> processes, Duration grace) {
    StopResult result = new StopResult(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    List<String> routerFirst = new ArrayList<>();
    List<String> nodes = new ArrayList<>();
    for (String p : processes) {
      (p.equals(RunDirectory.ROUTER) ? routerFirst : nodes).add(p);
    }
    for (List<String> group : List.of(routerFirst, nodes)) {
      Map<ProcessHandle, String> handles = new LinkedHashMap<>();
      for (String p : group) {
        String module = p.equals(RunDirectory.ROUTER) ? ROUTER_LAUNCHER : NODE_LAUNCHER;
        Optional<ProcessHandle> live = run.readPid(p).flatMap(pid -> LocalProcesses.live(pid, module));
        if (live.isPresent()) {
          handles.put(live.get(), p);
        } else {
          result.notRunning().add(p);
        }
      }
      for (ProcessHandle h : LocalProcesses.terminate(new ArrayList<>(handles.keySet()), grace)) {
        result.left().add(handles.get(h));
      }
      for (String p : group) {
        if (!result.left().contains(p)) {
          run.removePid(p);
          if (!result.notRunning().contains(p)) {
            result.stopped().add(p);
          }
        }
      }
    }
    return result;
  }

  /** The processes of a run directory that are running. */
  private static List<String> liveProcesses(RunDirectory run) {
    List<String> live = new ArrayList<>();
    for (String p : run.processesWithPidFiles()) {
      String module = p.equals(RunDirectory.ROUTER) ? ROUTER_LAUNCHER : NODE_LAUNCHER;
      run.readPid(p).flatMap(pid -> LocalProcesses.live(pid, module)).ifPresent(h -> live.add(p + " pid " + h.pid()));
    }
    return live;
  }

  /** Fails, naming every port in use and what it was for, unless all of the layout's ports are free. */
  private static void requireFreePorts(RunDirectory.Layout layout) {
    List<String> busy = new ArrayList<>();
    for (Map.Entry<Integer, String> e : ports(layout).entrySet()) {
      if (!LocalProcesses.portFree(e.getKey())) {
        busy.add("port " + e.getKey() + " (" + e.getValue() + ")");
      }
    }
    if (!busy.isEmpty()) {
      throw new CliException("in use on 127.0.0.1: " + String.join(", ", busy)
          + "; stop what listens there or pick other ports with --port-base");
    }
  }

  private static Map<Integer, String> ports(RunDirectory.Layout layout) {
    Map<Integer, String> ports = new LinkedHashMap<>();
    ports.put(layout.routerPort(), "router RESP");
    for (int port : layout.nodePorts()) {
      ports.put(port, "node 127.0.0.1:" + port);
    }
    ports.put(layout.adminPort(), "router admin API");
    return ports;
  }

  private static String pidText(RunDirectory run, String process) {
    return run.readPid(process).map(String::valueOf).orElse("?");
  }

  private static String dirHint(DirOption option) {
    return option.dir == null ? "" : " --dir " + option.dir;
  }

  private static String relative(Path from, Path to) {
    Path rel = to.startsWith(from) ? from.relativize(to) : to;
    return rel.toString().isEmpty() ? "." : rel.toString();
  }
}
