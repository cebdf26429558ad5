/**
 * What a command is, written once. {@link CommandCatalogue} lists every command ringcache serves
 * (name, arity, key positions, read/write/admin flags, whether it may run before AUTH, subcommands
 * with their arity); the node's command table, the proxy's {@code ProxyCommands} and the client's
 * {@code CommandType} derive theirs from it. {@link CommandIntrospection} answers {@code COMMAND}
 * ({@code COUNT}, {@code INFO}, {@code LIST}, {@code DOCS}, {@code GETKEYS}) over the commands a
 * server really serves, built from the catalogue ({@link CommandIntrospection#of}), with Redis
 * 7.0's flags and ACL categories from {@code redis-commands.tsv}. {@link Handshake} answers the
 * commands a client sends on its own (PING, ECHO, QUIT, AUTH, HELLO, CLIENT, SELECT, COMMAND, CONFIG,
 * FUNCTION) once for the node and the proxy, on a {@link HandshakeSession} each of them implements;
 * {@link Handshake.Server} holds what one server serves of them (its COMMAND answers, its CLIENT
 * and CONFIG subcommands).
 */
package io.ringcache.resp.command;
