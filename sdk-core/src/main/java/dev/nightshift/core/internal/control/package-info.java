/**
 * How controls reach an agent: its {@link dev.nightshift.core.internal.control.Inbox}, a mailbox
 * of commands applied one at a time, in arrival order, on the engine's control threads. Internal:
 * not an API.
 */
package dev.nightshift.core.internal.control;
