package dev.nightshift.store.postgres;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Where a page of {@link PostgresAgentStore#list} ended: the sort key (creation time, id) of its last record. */
record PageCursor(long createdNs, String id) {
    String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((createdNs + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    static PageCursor decode(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
            return new PageCursor(Long.parseLong(parts[0]), parts[1]);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a cursor from this store: " + cursor);
        }
    }
}
