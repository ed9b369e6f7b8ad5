package dev.nightshift.api;

import dev.nightshift.api.runtime.TerminalInfo;
import java.util.List;
import java.util.Objects;

/**
 * The result of {@link Agent#takeOver()}: the session a human now controls and the command that
 * attaches to its terminals. The driver is paused at its next {@link AgentContext#checkpoint()}
 * until {@link Agent#handBack()}.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> valid until hand-back.
 *
 * <pre>{@code
 * TakeOver t = agent.takeOver();
 * System.out.println(t.attach().commandLine());
 * }</pre>
 *
 * @param session the agent's session
 * @param attach how to attach: the command lands in the person's shell window
 * @param terminals the environment's terminals, the session's other windows
 */
public record TakeOver(Session session, AttachInfo attach, List<TerminalInfo> terminals) {
    public TakeOver {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(attach, "attach");
        terminals = terminals == null ? List.of() : List.copyOf(terminals);
    }

    /** A take-over without a list of terminals. */
    public TakeOver(Session session, AttachInfo attach) {
        this(session, attach, List.of());
    }
}
