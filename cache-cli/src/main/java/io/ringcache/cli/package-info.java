/**
 * {@code cachectl}, the admin and user command line (picocli). It talks to a cluster through the
 * router's admin HTTP API and the Java client, and starts a local cluster by running the launchers
 * in {@code bin/} as processes (waiting for each node's PING). No other module uses its classes.
 *
 * <ul>
 *   <li>{@link CacheCtl}: the entry point; lists the subcommands and maps failures to one line and
 *       an exit code ({@link CliException}).
 *   <li>Cluster administration over the admin API: {@link StatusCommand}; {@link AddCommand},
 *       {@link RemoveCommand} and {@link WeightCommand} (their shared part is {@link ScaleCommand};
 *       {@link EventWaiter} follows the scale event with a progress bar). {@link AdminClient} is
 *       the HTTP client; {@link AdminOptions} finds the router and its admin token.
 *   <li>Data: {@link DataCommands} ({@code get}, {@code put}, {@code del} through the Java client);
 *       {@link LocateCommand} (which node serves a key, by {@link io.ringcache.ring.RoutingTable}
 *       over the live topology); {@link RingCommand} (a ring computed offline by {@link
 *       io.ringcache.ring.HashRing}).
 *   <li>Local cluster: {@link ClusterCommand} ({@code cluster up|status|down}) runs a router and N
 *       nodes as detached processes through {@link LocalProcesses}; {@link RunDirectory} is its
 *       only state (ports, pid files, logs, the router's data, secrets); {@link ClusterTls} makes
 *       the self-signed certificate of {@code up --tls}.
 *   <li>{@link Format}: tables and sizes for the terminal.
 * </ul>
 *
 * <p>Threads: a command runs on the main thread and exits; {@code cluster up} adds a shutdown hook
 * that stops what it started on Ctrl-C, and the data commands use the client's one I/O thread.
 *
 * <p>This module's tests hold the fault tests against real processes ({@code FaultScenariosIT},
 * {@code ChaosIT}, {@code FailStopIT}, with {@code FaultCluster} and a {@code History} checker).
 */
package io.ringcache.cli;
