package dev.nightshift.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A background coding agent: an asynchronous unit of work with a prompt, a machine, a branch, a
 * conversation, a status and an event log. Obtained from the engine's {@code spawn}, {@code get}
 * or {@code list}; every method works on the live agent, so a handle stays useful for the agent's
 * whole life.
 *
 * <p><b>Thread-safety:</b> thread-safe; handles are cheap and may be shared.
 * <b>Lifecycle:</b> the agent lives until {@link #delete()} or until the retention window passes
 * (then only a tombstone with status {@code EXPIRED} remains). Calls on a deleted agent throw
 * {@link NotFoundException}.
 *
 * <pre>{@code
 * Agent agent = nightshift.spawn(AgentRequest.builder("echo hi > hello.txt", repoUrl).build());
 * agent.awaitStatus(AgentStatus.FINISHED, Duration.ofMinutes(5));
 * agent.followUp("echo again >> hello.txt");
 * AgentInfo done = agent.awaitStatus(AgentStatus.FINISHED, Duration.ofMinutes(5));
 * System.out.println(done.branch().orElseThrow() + " " + done.commit().orElseThrow());
 * }</pre>
 */
public interface Agent {

    /** The agent's id. */
    String id();

    /** A fresh copy of what is known about the agent. */
    AgentInfo info();

    /** Shortcut for {@code info().status()}. */
    default AgentStatus status() {
        return info().status();
    }

    /**
     * Queues a follow-up prompt. It runs after the current turn; sent to a {@code FINISHED},
     * {@code STOPPED} or hibernated agent it resumes it. A final status is a
     * {@link ConflictException}.
     */
    void followUp(String prompt);

    /** Stops the agent after interrupting its turn ({@code STOPPED}); everything is kept; a follow-up resumes it. */
    void stop();

    /** Cancels the agent for good ({@code CANCELLED}); its branch and records are kept until deleted. */
    void cancel();

    /**
     * Lets a human take over: the driver pauses at its next checkpoint. Returns the session and
     * the attach command, which lands in a login shell in the workspace, in a window named for the
     * person running this process (the {@code user.name} system property). Fails with
     * {@link ConflictException} when the agent has no machine.
     */
    TakeOver takeOver();

    /**
     * As {@link #takeOver()}, with the shell window named {@code person} (1-64 of
     * {@code [A-Za-z0-9_.-]}); taking over again as the same person reuses the window.
     */
    TakeOver takeOver(String person);

    /** Lets the driver continue with what the human changed. */
    void handBack();

    /**
     * Promotes the agent's machine disk to the environment's snapshot, so later agents start from
     * it. Refused ({@link ConflictException}) when the spec's {@code agentCanUpdateSnapshot} does
     * not allow it.
     *
     * @return the new snapshot id
     */
    String promoteSnapshot();

    /**
     * Sets where the agent's machines may connect, replacing what its environment.json and the
     * engine's egress settings gave them: the running machine follows from its next connection
     * (open ones are kept), and every machine the agent gets later (restored after a hibernation,
     * or by another engine) starts with it. The change is recorded as a warning event (code
     * {@code egress-changed}). It is the embedder's call, so it is not clamped to the engine's
     * maxima. Sent to an agent another engine drives, it is carried out there.
     *
     * @param policy a restricted policy ({@link dev.nightshift.api.runtime.EgressPolicy#allowOnly},
     *     or {@code DENY_ALL}); {@code ALLOW_ALL} is an {@link IllegalArgumentException}, since a
     *     restricted machine has no route out
     * @throws ConflictException when the agent is final, or its running machine was started
     *     allow-all (it has no proxy to change); nothing is changed then
     * @throws EnvironmentUnavailableException when the runtime cannot enforce a policy
     */
    default void updateEgress(dev.nightshift.api.runtime.EgressPolicy policy) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot change an agent's network policy");
    }

    /** Removes the machine, the snapshots the agent owns, its records and logs. */
    void delete();

    /** The conversation, oldest first. */
    List<ConversationMessage> conversation();

    /** Up to {@code limit} events with sequence greater than {@code afterSequence}, in order. */
    List<AgentEvent> events(long afterSequence, int limit);

    /**
     * Delivers every event after {@code afterSequence} (replayed from the log first), then live
     * events, to {@code listener} on its own thread.
     */
    Subscription addListener(AgentListener listener, long afterSequence);

    /** Live events only, from now on. */
    default Subscription addListener(AgentListener listener) {
        return addListener(listener, info().lastSequence());
    }

    /**
     * Waits until the agent is in one of {@code statuses}, or in a status from which none of
     * them can be reached without a call from outside ({@code FINISHED}, {@code STOPPED},
     * {@code ERROR}, {@code CANCELLED}, {@code EXPIRED}; but waiting for {@code EXPIRED} alone waits
     * for the retention sweep); returns the info at that moment. Throws
     * {@link NightshiftTimeoutException} naming the current status and last events when
     * {@code timeout} passes.
     */
    AgentInfo awaitStatus(Set<AgentStatus> statuses, Duration timeout);

    /** {@link #awaitStatus(Set, Duration)} for one status. */
    default AgentInfo awaitStatus(AgentStatus status, Duration timeout) {
        return awaitStatus(Set.of(status), timeout);
    }

    /** The session while the agent has a running machine. */
    Optional<Session> session();
}
