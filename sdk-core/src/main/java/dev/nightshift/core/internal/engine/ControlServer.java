package dev.nightshift.core.internal.engine;

import dev.nightshift.api.Agent;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spi.ControlCommand;
import dev.nightshift.api.spi.ControlResult;
import dev.nightshift.core.Nightshift;
import dev.nightshift.core.internal.EngineContext;
import dev.nightshift.core.internal.RemoteControls;
import dev.nightshift.core.internal.egress.EgressOverride;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the controls other engines send for the agents this one drives: claims them from the
 * store's inbox, runs each on the executor through the agent's own public path (as a local call
 * would) and records the result or the error for the sender.
 *
 * <p><b>Thread-safety:</b> {@link #serve()} runs on one thread of its own until the engine closes.
 */
final class ControlServer {
    private static final Logger log = LoggerFactory.getLogger(Nightshift.class);

    private final EngineContext context;
    private final AgentRegistry agents;
    private final BooleanSupplier closed;

    ControlServer(EngineContext context, AgentRegistry agents, BooleanSupplier closed) {
        this.context = context;
        this.agents = agents;
        this.closed = closed;
    }

    /** Claims and runs controls until the engine closes. */
    void serve() {
        while (!closed.getAsBoolean()) {
            List<ControlCommand> commands;
            try {
                commands = context.store().claimControls(agents.actors().keySet(), Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                if (closed.getAsBoolean()) {
                    return;
                }
                log.warn("reading the control inbox failed: {}", e.toString());
                try {
                    TimeUnit.SECONDS.sleep(1); // back off before reading it again
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            for (ControlCommand c : commands) {
                try {
                    context.executor().execute(() -> run(c));
                } catch (RejectedExecutionException e) {
                    answer(ControlResult.failed(c, RemoteControls.ENGINE_CLOSED, "the engine is closing"));
                }
            }
        }
    }

    /** Runs a control another engine sent, through the agent's own public path, and records what came of it. */
    private void run(ControlCommand c) {
        if (closed.getAsBoolean()) {
            answer(ControlResult.failed(c, RemoteControls.ENGINE_CLOSED, "the engine is closing"));
            return;
        }
        Agent agent = agents.localHandle(c.agentId()); // never forwards again
        ControlResult result;
        try {
            String value = null;
            switch (c.action()) {
                case "followUp" -> agent.followUp(c.argument());
                case "stop" -> agent.stop();
                case "cancel" -> agent.cancel();
                case "takeOver" -> value = RemoteControls.encode(c.argument() != null ? agent.takeOver(c.argument())
                        : agent.takeOver());
                case "handBack" -> agent.handBack();
                case "promoteSnapshot" -> value = agent.promoteSnapshot();
                case "delete" -> agent.delete();
                case "updateEgress" -> agent.updateEgress(EgressOverride.decode(c.argument()));
                default -> throw new ValidationException("unknown control '" + c.action() + "'");
            }
            result = ControlResult.ok(c, value);
        } catch (RuntimeException e) {
            if (!(e instanceof NightshiftException) && !(e instanceof IllegalArgumentException)
                    && !(e instanceof IllegalStateException)) {
                log.warn("{} on agent {} for another engine failed unexpectedly", c.action(), c.agentId(), e);
            }
            result = ControlResult.failed(c, RemoteControls.kind(e), e.getMessage());
        }
        log.info("ran {} on agent {} for another engine: {}", c.action(), c.agentId(),
                result.succeeded() ? "done" : result.error() + ": " + result.message());
        answer(result);
    }

    private void answer(ControlResult r) {
        try {
            context.store().completeControl(r);
        } catch (RuntimeException e) {
            log.warn("could not record the result of control {} on agent {}: {}", r.commandId(), r.agentId(), e.toString());
        }
    }
}
