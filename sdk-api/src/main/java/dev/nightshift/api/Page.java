package dev.nightshift.api;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing and the cursor of the next.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * for (Page<AgentInfo> p = nightshift.list(q); ; p = nightshift.list(q.withCursor(p.nextCursor().get()))) {
 *     p.items().forEach(System.out::println);
 *     if (p.nextCursor().isEmpty()) break;
 * }
 * }</pre>
 *
 * @param items the items
 * @param next cursor of the next page, or {@code null} on the last page
 * @param <T> item type
 */
public record Page<T>(List<T> items, String next) {
    public Page {
        items = List.copyOf(items);
    }

    public Optional<String> nextCursor() {
        return Optional.ofNullable(next);
    }
}
