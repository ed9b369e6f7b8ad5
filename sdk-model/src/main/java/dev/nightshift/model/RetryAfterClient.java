package dev.nightshift.model;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A JDK {@link HttpClient} that keeps the provider's {@code Retry-After} (or OpenAI's
 * {@code retry-after-ms}) on an error response: langchain4j keeps no response header, and its
 * exception's message is the response body, so the body of such a response is followed by one
 * line, {@code (Retry-After: 7 s)} or {@code (Retry-After: 1500 ms)}, which
 * {@link Models#retryAfter(Throwable)} reads back. Everything else is passed through.
 */
final class RetryAfterClient extends HttpClient {
    private static final Pattern NOTE = Pattern.compile("\\(Retry-After: (\\d{1,9}) (s|ms)\\)\\s*$");

    private final HttpClient delegate;

    RetryAfterClient(HttpClient delegate) {
        this.delegate = delegate;
    }

    /** The wait an exception's response asked for, from the line this client appended. */
    static Optional<Duration> read(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null) {
                Matcher matcher = NOTE.matcher(m);
                if (matcher.find()) {
                    long n = Long.parseLong(matcher.group(1));
                    return Optional.of(matcher.group(2).equals("ms") ? Duration.ofMillis(n) : Duration.ofSeconds(n));
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }

    /** The note for these headers, or empty. */
    static Optional<String> note(HttpHeaders headers) {
        Optional<String> ms = headers.firstValue("retry-after-ms").map(String::strip);
        if (ms.isPresent() && ms.get().matches("\\d{1,9}(\\.\\d+)?")) {
            return Optional.of("(Retry-After: " + (long) Math.ceil(Double.parseDouble(ms.get())) + " ms)");
        }
        Optional<String> value = headers.firstValue("retry-after").map(String::strip);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String v = value.get();
        if (v.matches("\\d{1,9}")) {
            return Optional.of("(Retry-After: " + Long.parseLong(v) + " s)");
        }
        if (v.matches("\\d{1,9}\\.\\d+")) {
            return Optional.of("(Retry-After: " + (long) Math.ceil(Double.parseDouble(v) * 1000) + " ms)");
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
            long seconds = Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toSeconds());
            return Optional.of("(Retry-After: " + seconds + " s)");
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** A JDK client builder whose clients are wrapped in this one. */
    static HttpClient.Builder wrapping(HttpClient.Builder builder) {
        return new HttpClient.Builder() {
            @Override
            public HttpClient.Builder cookieHandler(CookieHandler h) {
                builder.cookieHandler(h);
                return this;
            }

            @Override
            public HttpClient.Builder connectTimeout(Duration d) {
                builder.connectTimeout(d);
                return this;
            }

            @Override
            public HttpClient.Builder sslContext(SSLContext c) {
                builder.sslContext(c);
                return this;
            }

            @Override
            public HttpClient.Builder sslParameters(SSLParameters p) {
                builder.sslParameters(p);
                return this;
            }

            @Override
            public HttpClient.Builder executor(Executor e) {
                builder.executor(e);
                return this;
            }

            @Override
            public HttpClient.Builder followRedirects(Redirect r) {
                builder.followRedirects(r);
                return this;
            }

            @Override
            public HttpClient.Builder version(Version v) {
                builder.version(v);
                return this;
            }

            @Override
            public HttpClient.Builder priority(int p) {
                builder.priority(p);
                return this;
            }

            @Override
            public HttpClient.Builder proxy(ProxySelector p) {
                builder.proxy(p);
                return this;
            }

            @Override
            public HttpClient.Builder authenticator(Authenticator a) {
                builder.authenticator(a);
                return this;
            }

            @Override
            public HttpClient build() {
                return new RetryAfterClient(builder.build());
            }
        };
    }

    private static <T> HttpResponse.BodyHandler<T> annotated(HttpResponse.BodyHandler<T> handler) {
        return info -> {
            HttpResponse.BodySubscriber<T> subscriber = handler.apply(info);
            if (info.statusCode() < 400) {
                return subscriber;
            }
            Optional<String> note = note(info.headers());
            return note.isEmpty() ? subscriber : new Appending<>(subscriber, ("\n" + note.get()).getBytes(StandardCharsets.UTF_8));
        };
    }

    /**
     * Collects an (error) body whole, then hands it with the note appended to the real
     * subscriber as one buffer, once that subscriber has asked for data.
     */
    private static final class Appending<T> implements HttpResponse.BodySubscriber<T> {
        private final HttpResponse.BodySubscriber<T> target;
        private final byte[] suffix;
        private final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        private final AtomicBoolean delivered = new AtomicBoolean();
        private volatile boolean complete;
        private volatile boolean demanded;

        Appending(HttpResponse.BodySubscriber<T> target, byte[] suffix) {
            this.target = target;
            this.suffix = suffix;
        }

        @Override
        public CompletionStage<T> getBody() {
            return target.getBody();
        }

        @Override
        public void onSubscribe(Flow.Subscription upstream) {
            upstream.request(Long.MAX_VALUE);
            target.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    if (n > 0) {
                        demanded = true;
                        deliver();
                    }
                }

                @Override
                public void cancel() {
                    upstream.cancel();
                }
            });
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            synchronized (body) {
                for (ByteBuffer b : items) {
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    body.write(bytes, 0, bytes.length);
                }
            }
        }

        @Override
        public void onError(Throwable error) {
            target.onError(error);
        }

        @Override
        public void onComplete() {
            complete = true;
            deliver();
        }

        private void deliver() {
            if (!complete || !demanded || !delivered.compareAndSet(false, true)) {
                return;
            }
            byte[] all;
            synchronized (body) {
                body.write(suffix, 0, suffix.length);
                all = body.toByteArray();
            }
            target.onNext(List.of(ByteBuffer.wrap(all)));
            target.onComplete();
        }
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        return delegate.send(request, annotated(handler));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return delegate.sendAsync(request, annotated(handler));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
            HttpResponse.PushPromiseHandler<T> push) {
        return delegate.sendAsync(request, annotated(handler), push);
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return delegate.cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return delegate.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return delegate.followRedirects();
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return delegate.proxy();
    }

    @Override
    public SSLContext sslContext() {
        return delegate.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return delegate.sslParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return delegate.authenticator();
    }

    @Override
    public Version version() {
        return delegate.version();
    }

    @Override
    public Optional<Executor> executor() {
        return delegate.executor();
    }
}
