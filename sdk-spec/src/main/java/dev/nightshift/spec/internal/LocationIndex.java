package dev.nightshift.spec.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * JSON pointer to the line and column where that value (for an object member: its key) starts,
 * filled by {@link LocatingReader} in the same streaming pass that builds the tree.
 *
 * <p>Thread-safety: not thread-safe while filled, read-only afterwards. Lifecycle: one per parse.
 */
public final class LocationIndex {
    static final LocationIndex EMPTY = new LocationIndex();

    private final Map<String, Long> at = new HashMap<>();

    void put(String pointer, int line, int column) {
        at.put(pointer, ((long) line << 32) | (column & 0xffffffffL));
    }

    /** The location of {@code pointer}, else of its nearest ancestor that has one; 0 if none. */
    public long find(String pointer) {
        String p = pointer;
        while (true) {
            Long v = at.get(p);
            if (v != null) {
                return v;
            }
            if (p.isEmpty()) {
                return 0;
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    public static int line(long packed) {
        return (int) (packed >>> 32);
    }

    public static int column(long packed) {
        return (int) packed;
    }

    public int size() {
        return at.size();
    }

    /** RFC 6901 escaping of one reference token. */
    public static String escape(String token) {
        if (token.indexOf('~') < 0 && token.indexOf('/') < 0) {
            return token;
        }
        return token.replace("~", "~0").replace("/", "~1");
    }
}
