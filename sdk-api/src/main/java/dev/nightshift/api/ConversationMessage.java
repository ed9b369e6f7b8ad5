package dev.nightshift.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One message of an agent's conversation: a user's prompt or follow-up, or the agent's answer.
 * Text is recorded after redaction of runtime secrets.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value, kept until the agent is deleted
 * or expires.
 *
 * <pre>{@code
 * agent.conversation().forEach(m -> System.out.println(m.type() + ": " + m.text()));
 * }</pre>
 *
 * @param id unique within the agent
 * @param type who spoke
 * @param text the message
 * @param time when it was recorded
 */
public record ConversationMessage(String id, Type type, String text, Instant time) {
    /** Who spoke. */
    public enum Type {
        USER_MESSAGE, ASSISTANT_MESSAGE
    }

    public ConversationMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(time, "time");
    }
}
