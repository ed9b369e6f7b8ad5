package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.core.internal.EngineContext;
import dev.nightshift.git.GitHost;

import dev.nightshift.core.internal.SecretHooks;
import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * What a stage may do to its agent: record (events, the record, the conversation), move the
 * phase, read the cancellation token, use the machine. Implemented by the agent's actor; every
 * method is safe from the agent's loop and from its controls.
 */
public interface AgentScope {
    /** The log an agent's life is told in, whichever class tells it. */
    String LOGGER = "dev.nightshift.core.internal.AgentActor";

    String id();

    EngineContext engine();

    /** Git as this agent uses it. */
    GitHost git();

    /** The agent's record as it is now (even once deleted). */
    AgentInfo info();

    Instant now();

    /** Appends an event to the agent's log (redacted, numbered). */
    void emit(AgentEvent event);

    /** Changes and persists the record; wakes waiters. */
    void update(UnaryOperator<AgentInfo> change);

    /** Moves the phase under the agent's lock ({@link PhaseMachine}). */
    void enter(Phase phase);

    Phase phase();

    CancellationToken token();

    /** The agent's lock: controls change state under it, waiters wait on it. */
    Object lock();

    /** Whether a human holds the agent's machine. */
    boolean takenOver();

    InterruptHooks interruptHooks();

    UnaryOperator<String> redactor();

    /** Records machine seconds used by {@code phase} since {@code since}. */
    void addUsage(String phase, Instant since);

    /** Puts the agent in {@code ERROR} with {@code message} (redacted). */
    void fail(String message);

    /** Puts the agent in the status its loop leaves it in when it runs out of work ({@code error} or null). */
    void settle(String error);

    void addMessage(ConversationMessage.Type type, String text);

    /** Redacts, stores and announces a driver's structured conversation entry; returns it as stored. */
    ConversationMessage record(ConversationMessage message);

    /** Uses {@code secrets} for the machine's env, the redaction of what is recorded and the push guard. */
    void useSecrets(SecretHooks.Resolved secrets);

    /** The secrets in use (empty before {@link #useSecrets}). */
    SecretHooks.Resolved secrets();

    /** The agent's environment (spec, snapshot key, user) as far as it is known. */
    Environment environment();

    void environment(Environment environment);

    AgentMachine machine();

    /** The network policy set on the agent itself, which replaces the spec's for its machines. */
    dev.nightshift.core.internal.egress.EgressOverride egressOverride();
}
