package dev.nightshift.core;

import dev.nightshift.api.AgentContext;
import dev.nightshift.api.AgentDriver;
import dev.nightshift.api.Turn;
import dev.nightshift.api.TurnResult;
import java.util.Objects;

/**
 * A driver whose turns are a function: for tests, scripts and quick experiments.
 *
 * <p><b>Thread-safety:</b> as thread-safe as the function given. <b>Lifecycle:</b> none.
 *
 * <pre>{@code
 * AgentDriver d = ProgrammableDriver.of("echo", (turn, ctx) -> {
 *     ctx.checkpoint();
 *     ctx.say("you said " + turn.prompt());
 *     return TurnResult.of("echoed");
 * });
 * }</pre>
 */
public final class ProgrammableDriver implements AgentDriver {

    /** One turn's behaviour. */
    @FunctionalInterface
    public interface TurnFunction {
        TurnResult apply(Turn turn, AgentContext context) throws Exception;
    }

    private final String name;
    private final TurnFunction function;

    private ProgrammableDriver(String name, TurnFunction function) {
        this.name = Objects.requireNonNull(name, "name");
        this.function = Objects.requireNonNull(function, "function");
    }

    public static ProgrammableDriver of(String name, TurnFunction function) {
        return new ProgrammableDriver(name, function);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TurnResult runTurn(Turn turn, AgentContext context) throws Exception {
        return function.apply(turn, context);
    }
}
