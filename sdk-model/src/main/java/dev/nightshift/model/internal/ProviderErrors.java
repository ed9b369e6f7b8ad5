package dev.nightshift.model.internal;

import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.RateLimitException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.nightshift.model.Models;

/**
 * What a provider's failure means for the loop. langchain4j 1.19 puts the HTTP status only on a
 * {@link HttpException} in the cause chain and never exposes response headers: the models
 * {@link Models} builds append the {@code Retry-After} header to the error body, which is read back
 * here; otherwise a wait the provider states in its body ("try again in 20s") is honoured, and
 * failing both the loop's own backoff applies.
 */
public final class ProviderErrors {
    /** How the loop reacts. */
    public enum Kind { RETRY, AUTH, CONTEXT_LENGTH, FATAL }

    /**
     * @param kind what to do
     * @param status the HTTP status, or 0 when there was none (a connection failure, a timeout)
     * @param retryAfter what the provider asked to wait, when it said
     * @param detail a short description (never the body of an authentication failure)
     */
    public record Classified(Kind kind, int status, Optional<Duration> retryAfter, String detail) {
    }

    private static final Pattern CONTEXT = Pattern.compile("(?i)context_length_exceeded|maximum context length|context window"
            + "|prompt is too long|too many tokens|input is too long|exceeds the context|context length");
    private static final Pattern RETRY_AFTER = Pattern.compile(
            "(?i)(?:retry[- ]after|try again in)\\W{0,3}(\\d+(?:\\.\\d+)?)\\s*(ms|milliseconds?|s|sec|seconds?)?");

    private ProviderErrors() {
    }

    public static Classified classify(Throwable e) {
        int status = 0;
        boolean connect = false;
        boolean timeout = false;
        boolean auth = false;
        boolean rate = false;
        boolean server = false;
        String body = String.valueOf(e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpException h && status == 0) {
                status = h.statusCode();
                body = String.valueOf(h.getMessage());
            }
            connect |= t instanceof ConnectException;
            timeout |= t instanceof HttpTimeoutException || t instanceof dev.langchain4j.exception.TimeoutException
                    || t instanceof java.net.SocketTimeoutException;
            auth |= t instanceof AuthenticationException;
            rate |= t instanceof RateLimitException;
            server |= t instanceof InternalServerException;
        }
        if (auth || status == 401 || status == 403) {
            return new Classified(Kind.AUTH, status == 0 ? 401 : status, Optional.empty(), "HTTP " + (status == 0 ? 401 : status));
        }
        if ((status == 400 || status == 413 || status == 0) && CONTEXT.matcher(body).find()) {
            return new Classified(Kind.CONTEXT_LENGTH, status, Optional.empty(), shorten(body));
        }
        if (rate || server || status == 429 || status == 408 || status >= 500 || connect || timeout
                || e instanceof StreamIdleException) {
            String what = status != 0 ? "HTTP " + status : connect ? "connection refused" : timeout ? "timed out"
                    : e instanceof StreamIdleException ? e.getMessage() : "transient failure";
            return new Classified(Kind.RETRY, status, retryAfter(body), what + (status != 0 ? ": " + shorten(body) : ""));
        }
        return new Classified(Kind.FATAL, status, Optional.empty(),
                (status != 0 ? "HTTP " + status + ": " : "") + shorten(body));
    }

    /** The {@code Retry-After} header as {@link Models}' HTTP client appends it to an error body. */
    private static final Pattern HEADER = Pattern.compile("\\(Retry-After: (\\d+(?:\\.\\d+)?) (ms|s)\\)");

    /**
     * A wait the provider asked for: its {@code Retry-After} header when the model's HTTP client kept it
     * (models built by {@link Models} do), else a wait stated in the body.
     */
    static Optional<Duration> retryAfter(String body) {
        Matcher h = HEADER.matcher(body);
        if (h.find()) {
            double n = Double.parseDouble(h.group(1));
            return Optional.of(Duration.ofMillis(h.group(2).equals("ms") ? (long) n : (long) (n * 1000)));
        }
        Matcher m = RETRY_AFTER.matcher(body);
        if (!m.find()) {
            return Optional.empty();
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        long millis = unit.startsWith("m") ? (long) n : (long) (n * 1000);
        return Optional.of(Duration.ofMillis(millis));
    }

    static String shorten(String s) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= 300 ? one : one.substring(0, 300) + "...";
    }
}
