/**
 * A toolkit for {@code Runtime} implementors: what a runtime needs to run commands, terminals and
 * file copies inside its machines, whatever the machines are (containers, pods).
 *
 * <ul>
 *   <li>{@link dev.nightshift.machine.ExecServerClient}: the in-machine exec server
 *       ({@code execd.pl}, one long-running {@code perl} per machine) and the host's client of
 *       it; the runtime supplies only the transport ({@link dev.nightshift.machine.ExecChannel}
 *       one way, {@code received}/{@code diagnostic} the other). {@link dev.nightshift.machine.ExecFrames}
 *       is its wire format.</li>
 *   <li>{@link dev.nightshift.machine.TmuxTerminals}: {@code Terminals} as windows of one tmux
 *       session, over any way of running a command.</li>
 *   <li>{@link dev.nightshift.machine.Tars} and {@link dev.nightshift.machine.SafeTar}: tar
 *       streams into a machine, and extraction of untrusted ones out of it.</li>
 *   <li>{@link dev.nightshift.machine.TailBuffer} and {@link dev.nightshift.machine.CommandOutput}:
 *       an output's last bytes, and a buffered command's outcome.</li>
 * </ul>
 *
 * <p>Depends on {@code sdk-api} (and slf4j, commons-compress) only. Not for agent code: drivers and
 * hosts use {@code dev.nightshift.api.runtime.Machine}.
 */
package dev.nightshift.machine;
