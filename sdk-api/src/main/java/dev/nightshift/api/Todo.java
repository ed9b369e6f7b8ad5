package dev.nightshift.api;

import java.util.Objects;

/**
 * One item of the checklist a driver keeps for a turn (a model's {@code todo_write} tool).
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * context.updateTodos(List.of(new Todo("1", "run the tests", Todo.Status.IN_PROGRESS)));
 * }</pre>
 *
 * @param id the item's id, stable across updates
 * @param content what is to be done
 * @param status where it stands
 */
public record Todo(String id, String content, Status status) {
    /** Where an item stands. */
    public enum Status {
        PENDING, IN_PROGRESS, COMPLETED, CANCELLED
    }

    public Todo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(status, "status");
    }
}
