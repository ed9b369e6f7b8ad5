/**
 * An {@link dev.nightshift.api.spi.AgentStore} on PostgreSQL, shared by several engine
 * processes: {@link dev.nightshift.store.postgres.PostgresAgentStore}.
 */
package dev.nightshift.store.postgres;
