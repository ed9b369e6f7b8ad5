package dev.nightshift.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.nightshift.api.AgentCancelledException;
import dev.nightshift.api.AttachInfo;
import dev.nightshift.api.AuthenticationException;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.Session;
import dev.nightshift.api.TakeOver;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.runtime.TerminalInfo;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.ControlCommand;
import dev.nightshift.api.spi.ControlResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Sends controls on an agent another engine drives through the store's inbox
 * ({@link AgentStore#submitControl}) and turns the answer into what the local control would have
 * returned or thrown. When the driving engine lets go while a command waits unclaimed, the
 * command is withdrawn and the caller runs the control itself ({@link Outcome#driverGone()}).
 *
 * <p><b>Thread-safety:</b> thread-safe (stateless beyond its collaborators).
 */
public final class RemoteControls {
    /** The error kind a closing engine answers with: the sender runs the control itself. */
    public static final String ENGINE_CLOSED = "EngineClosed";
    private static final Duration STEP = Duration.ofSeconds(1);

    private final AgentStore store;
    private final MachineRuntime runtime;
    private final String owner;
    private final Duration lease;
    private final Duration timeout;

    /** What came of a remote control: its value, or that the driver went away unclaimed. */
    public record Outcome(boolean driverGone, String value) {
    }

    public RemoteControls(AgentStore store, MachineRuntime runtime, String owner, Duration lease, Duration timeout) {
        this.store = store;
        this.runtime = runtime;
        this.owner = owner;
        this.lease = lease;
        this.timeout = timeout;
    }

    /**
     * Sends {@code action} and waits for its result. Throws what the driving engine threw;
     * {@code elsewhere} (refusing the control) when the store carries no controls.
     */
    public Outcome send(String agentId, String action, String argument, DrivenElsewhereException elsewhere) {
        if (!store.supportsControls()) {
            throw elsewhere;
        }
        ControlCommand c = ControlCommand.of(agentId, action, argument);
        store.submitControl(c);
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean claimed = false;
        while (true) {
            long left = deadline - System.nanoTime();
            Optional<ControlResult> r = store.awaitControlResult(agentId, c.id(),
                    Duration.ofNanos(Math.max(0, Math.min(left, STEP.toNanos()))));
            if (r.isPresent()) {
                return decode(r.get());
            }
            // the driver may have let go (its process ended): then nobody will claim the command
            if (!claimed && store.acquireLease(agentId, owner, lease)) {
                if (store.withdrawControl(agentId, c.id())) {
                    return new Outcome(true, null);
                }
                claimed = true; // claimed just before it let go: its result comes
            }
            if (System.nanoTime() - deadline >= 0) {
                if (store.withdrawControl(agentId, c.id())) {
                    throw new NightshiftTimeoutException("the engine driving agent " + agentId + " did not take the "
                            + action + " within " + timeout + "; it was withdrawn and did not run");
                }
                throw new NightshiftTimeoutException("the engine driving agent " + agentId + " took the " + action
                        + " but did not answer within " + timeout + "; it may still complete");
            }
        }
    }

    private static Outcome decode(ControlResult r) {
        if (r.succeeded()) {
            return new Outcome(false, r.value());
        }
        if (engineClosed(r)) {
            return new Outcome(true, null); // it let go without running it: run it here
        }
        String m = r.message() != null ? r.message() : r.error();
        throw switch (r.error()) {
            case "DrivenElsewhereException" -> new DrivenElsewhereException(m);
            case "ConflictException" -> new ConflictException(m);
            case "NotFoundException" -> new NotFoundException(m);
            case "ValidationException" -> new ValidationException(m);
            case "NightshiftTimeoutException" -> new NightshiftTimeoutException(m);
            case "AgentCancelledException" -> new AgentCancelledException(m);
            case "EnvironmentUnavailableException" -> new EnvironmentUnavailableException(m);
            case "AuthenticationException" -> new AuthenticationException(m);
            case "IllegalArgumentException" -> new IllegalArgumentException(m);
            case "IllegalStateException" -> new IllegalStateException(m);
            case "UnsupportedOperationException" -> new UnsupportedOperationException(m);
            default -> new NightshiftException(m);
        };
    }

    /** Whether a result says the driving engine was closing: the sender runs the control itself. */
    public static boolean engineClosed(ControlResult r) {
        return ENGINE_CLOSED.equals(r.error());
    }

    /** The error kind recorded for {@code e}. */
    public static String kind(RuntimeException e) {
        return e.getClass().getSimpleName();
    }

    /** What travels of a take-over: everything but the machine, which the sender attaches itself. */
    record TakeOverValue(String workspace, String branch, String user, AttachInfo attach, List<TerminalInfo> terminals) {
    }

    /** A take-over as the result value of a control. */
    public static String encode(TakeOver t) {
        Session s = t.session();
        return Json.write(new TakeOverValue(s.workspace(), s.branch(), s.user(), t.attach(), t.terminals()));
    }

    /** The take-over a driving engine answered with, its session on the same machine. */
    public TakeOver takeOver(String value) {
        TakeOverValue v;
        try {
            v = Json.mapper().readValue(value, TakeOverValue.class);
        } catch (JsonProcessingException e) {
            throw new NightshiftException("the driving engine answered a take-over this engine cannot read", e);
        }
        Session session = new Session() {
            @Override
            public Machine machine() {
                return runtime.attach(v.attach().machineId()).orElseThrow(() -> new ConflictException(
                        "machine " + v.attach().machineId() + " of the taken-over agent is gone"));
            }

            @Override public String workspace() { return v.workspace(); }
            @Override public String branch() { return v.branch(); }
            @Override public String user() { return v.user(); }
            @Override public AttachInfo attach() { return v.attach(); }

            @Override
            public void close() {
                // a view: the driving engine owns the machine
            }
        };
        return new TakeOver(session, v.attach(), v.terminals());
    }
}
