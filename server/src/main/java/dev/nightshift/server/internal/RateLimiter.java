package dev.nightshift.server.internal;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per key: {@code perSecond} requests a second on average, bursts up to
 * {@code burst}. {@link #tryAcquire} answers at once: zero when the request may go, else how long
 * to wait ({@code Retry-After}).
 *
 * <p>Thread-safety: thread-safe. Lifecycle: lives with the server.
 */
public final class RateLimiter {
    private final double perSecond;
    private final double burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    public RateLimiter(double perSecond, int burst) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("a rate limit needs perSecond > 0 and burst >= 1");
        }
        this.perSecond = perSecond;
        this.burst = burst;
    }

    /** {@link Duration#ZERO} when {@code key} may make a request now, else the wait before the next one. */
    public Duration tryAcquire(String key) {
        long now = System.nanoTime();
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (now - b.at) / 1e9 * perSecond);
            b.at = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return Duration.ZERO;
            }
            return Duration.ofNanos((long) ((1 - b.tokens) / perSecond * 1e9));
        }
    }
}
