package dev.nightshift.api;

import java.util.Map;
import java.util.Set;

/**
 * Which agents to list, and one page of them: filters by status, repository and labels; paging
 * by an opaque cursor; newest first.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * Page<AgentInfo> page = nightshift.list(AgentQuery.all().withStatuses(Set.of(AgentStatus.RUNNING)).withLimit(20));
 * }</pre>
 *
 * @param statuses statuses to include, empty for all
 * @param repository repository URL to match exactly, or {@code null}
 * @param labels labels that must all be present
 * @param limit page size, 1..1000
 * @param cursor where the previous page ended, or {@code null} for the first page
 */
public record AgentQuery(Set<AgentStatus> statuses, String repository, Map<String, String> labels, int limit,
        String cursor) {
    public AgentQuery {
        statuses = statuses == null ? Set.of() : Set.copyOf(statuses);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
    }

    /** Every agent, 20 per page. */
    public static AgentQuery all() {
        return new AgentQuery(Set.of(), null, Map.of(), 20, null);
    }

    public AgentQuery withStatuses(Set<AgentStatus> s) { return new AgentQuery(s, repository, labels, limit, cursor); }
    public AgentQuery withRepository(String r) { return new AgentQuery(statuses, r, labels, limit, cursor); }
    public AgentQuery withLabels(Map<String, String> l) { return new AgentQuery(statuses, repository, l, limit, cursor); }
    public AgentQuery withLimit(int n) { return new AgentQuery(statuses, repository, labels, n, cursor); }
    public AgentQuery withCursor(String c) { return new AgentQuery(statuses, repository, labels, limit, c); }

    /** Whether {@code info} passes the filters (not the paging). */
    public boolean matches(AgentInfo info) {
        return (statuses.isEmpty() || statuses.contains(info.status()))
                && (repository == null || repository.equals(info.request().repository()))
                && info.request().labels().entrySet().containsAll(labels.entrySet());
    }
}
