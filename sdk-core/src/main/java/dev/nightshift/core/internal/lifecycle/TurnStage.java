package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AgentCancelledException;
import dev.nightshift.api.AgentDriver;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.Turn;
import dev.nightshift.api.TurnResult;
import dev.nightshift.core.internal.EngineContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Stage 7, turn: the driver works on one prompt, under a watchdog for the turn timeout (or what is
 * left of the machine-seconds budget). A stop, cancel or timeout reaches the driver through the
 * {@link CancellationToken} (its checkpoint), its commands being killed and, for a driver blocked
 * in a call, an interrupt of its thread ({@code timeOut} in the scope).
 */
public final class TurnStage {
    private TurnStage() {
    }

    /**
     * How a turn ended.
     *
     * @param number the turn's number (its prompt's place among the user's messages)
     * @param summary what the commit of its handoff will say
     * @param error why it failed, or null
     */
    public record Outcome(int number, String summary, String error) {
    }

    /** Runs the turn; empty when it could not begin (the agent is then in ERROR). */
    public static Optional<Outcome> run(AgentScope a, String prompt, Runnable timeOut) {
        EngineContext engine = a.engine();
        AgentDriver driver = engine.drivers().get(a.info().request().driver());
        if (driver == null) {
            a.fail("no driver named '" + a.info().request().driver() + "'; known: " + engine.drivers().keySet());
            return Optional.empty();
        }
        Duration budgetLeft = null;
        Duration budget = engine.limits().machineSecondsBudget().orElse(null);
        if (budget != null) {
            double used = a.info().usage().totalMachineSeconds();
            budgetLeft = budget.minusMillis((long) (used * 1000));
            if (budgetLeft.isNegative() || budgetLeft.isZero()) {
                a.fail("the machine-seconds budget of " + budget + " is used up");
                return Optional.empty();
            }
        }
        Duration limit = budgetLeft == null || engine.limits().turnTimeout().compareTo(budgetLeft) < 0
                ? engine.limits().turnTimeout() : budgetLeft;
        int number = (int) engine.store().conversation(a.id()).stream()
                .filter(m -> m.type() == ConversationMessage.Type.USER_MESSAGE).count();
        // egress: narrow the machine to the turn's policy (unless a policy was set on the agent, which
        // holds for its turns); an agent adopted after a restart has no resolved spec, which only a
        // restricted policy needs (then it is resolved)
        boolean overridden = a.egressOverride().current().isPresent();
        Environment env = !overridden && a.environment().resolved() == null
                && !engine.egress().equals(dev.nightshift.core.EgressSettings.UNRESTRICTED)
                ? Lifecycle.resolvedEnvironment(a) : a.environment();
        if (!overridden && env.resolved() != null) {
            dev.nightshift.core.internal.egress.EgressHooks.enterTurn(a.machine().view().delegate(),
                    env.resolved().spec(), engine.egress());
        }
        a.enter(Phase.TURN);
        Instant start = a.now();
        ScheduledFuture<?> watchdog = engine.scheduler().schedule(timeOut, limit.toMillis(), TimeUnit.MILLISECONDS);
        String error = null;
        String summary = null;
        try {
            TurnResult result = driver.runTurn(new Turn(Math.max(1, number), prompt), new DriverContext(a));
            summary = result == null ? null : result.summary();
        } catch (AgentCancelledException | InterruptedException e) {
            summary = "interrupted";
        } catch (Exception e) {
            error = "driver '" + driver.name() + "' failed: " + e.getMessage();
        } finally {
            watchdog.cancel(false);
            // interrupts come only under the agent's lock and only in the turn phase: none after this
            a.enter(Phase.AFTER_TURN);
            Thread.interrupted();
            a.addUsage("turn", start);
        }
        synchronized (a.lock()) {
            if (a.token().withdraw(CancellationToken.Reason.TIMEOUT)) {
                error = limit == engine.limits().turnTimeout() ? "the turn ran past its turn timeout of " + limit
                        : "the turn used up the machine-seconds budget of " + budget
                        + " (" + limit + " were left when it began)";
            } else if (a.token().stopOrCancel()) {
                // the driver saw its commands killed or its checkpoint refuse: that is the stop, not a failure
                error = null;
                summary = summary == null || summary.isBlank() ? "turn " + number + " interrupted" : summary;
            }
        }
        if (summary == null || summary.isBlank()) {
            summary = error != null ? "turn " + number + " failed" : "turn " + number;
        }
        summary = dev.nightshift.core.internal.egress.EgressEvents.summary(summary, // egress: blocked hosts
                dev.nightshift.core.internal.egress.EgressEvents.report(a.machine().view().delegate(), start, "turn",
                        w -> a.emit(new dev.nightshift.api.AgentEvent.Warning(a.id(), 0, a.now(),
                                dev.nightshift.core.internal.egress.EgressEvents.CODE, w))));
        return Optional.of(new Outcome(number, summary, error));
    }
}
