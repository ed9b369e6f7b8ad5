package dev.nightshift.api;

import dev.nightshift.api.runtime.Machine;

/**
 * What sdk-core hands to a driver or a human: a machine whose workspace is checked out on the
 * agent's branch, plus how to attach to it.
 *
 * <p><b>Thread-safety:</b> thread-safe (the machine is). <b>Lifecycle:</b> owned by the engine.
 * A session obtained from {@link Agent#takeOver()} is a view: closing it releases the caller's
 * hold and does not remove the machine (the agent's machine lives until the agent hibernates or is
 * deleted).
 *
 * <pre>{@code
 * TakeOver t = agent.takeOver();
 * try (Session s = t.session()) {
 *     s.machine().exec(ExecRequest.bash("echo fix >> NOTES.md").workdir(s.workspace()).build()).await();
 * }
 * agent.handBack();
 * }</pre>
 */
public interface Session extends AutoCloseable {

    /** The workspace directory inside the machine. */
    String DEFAULT_WORKSPACE = "/workspace";

    /** The machine the agent works in. */
    Machine machine();

    /** The workspace path inside the machine ({@value #DEFAULT_WORKSPACE}). */
    String workspace();

    /** The agent's branch, checked out in the workspace. */
    String branch();

    /** The user agent and human act as. */
    String user();

    /** How a human attaches. */
    AttachInfo attach();

    /** Releases this view. Idempotent. */
    @Override
    void close();
}
