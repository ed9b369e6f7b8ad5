/**
 * The parts of {@link dev.nightshift.core.FileAgentStore}, one file concern each:
 * {@code AgentFiles} (records, events, conversations) with its {@code GroupCommit} (what is
 * written but not yet synced, and the flusher), {@code FileLeases}, {@code FileMachineSlots}
 * (the running-machine counter), {@code FileControlInbox} (controls between engines) and
 * {@code DiskFiles} (atomic replacement, last-line reads, torn-line repair). Internal: not an API.
 */
package dev.nightshift.core.internal.filestore;
