/**
 * What servers say about their commands. {@link CommandIntrospection} answers {@code COMMAND}
 * ({@code COUNT}, {@code INFO}, {@code LIST}, {@code DOCS}, {@code GETKEYS}) over the commands a
 * server really serves, with Redis 7.0's flags and ACL categories from {@code redis-commands.tsv};
 * the node passes its command table, the proxy its own. Issue 12's step 2 makes this package the
 * one command catalogue that node, proxy and client derive from.
 */
package io.ringcache.resp.command;
