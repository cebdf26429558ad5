/**
 * What a command is, written once. {@link CommandCatalogue} lists every command ringcache serves
 * (name, arity, key positions, read/write/admin flags, whether it may run before AUTH, subcommands
 * with their arity); the node's command table, the proxy's {@code ProxyCommands} and the client's
 * {@code CommandType} derive theirs from it. {@link CommandIntrospection} answers {@code COMMAND}
 * ({@code COUNT}, {@code INFO}, {@code LIST}, {@code DOCS}, {@code GETKEYS}) over the commands a
 * server really serves, built from the catalogue ({@link CommandIntrospection#of}), with Redis
 * 7.0's flags and ACL categories from {@code redis-commands.tsv}.
 */
package io.ringcache.resp.command;
