package dev.nightshift.api;

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
 * @param attach how to attach
 */
public record TakeOver(Session session, AttachInfo attach) {
    public TakeOver {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(attach, "attach");
    }
}
