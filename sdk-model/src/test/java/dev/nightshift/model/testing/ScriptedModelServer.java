package dev.nightshift.model.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model server on 127.0.0.1 that speaks the providers' real wire formats, replays a script
 * and records every request: OpenAI chat completions ({@code POST /v1/chat/completions}, JSON or
 * a server-sent-event stream with {@code tool_calls} deltas and, when
 * {@code stream_options.include_usage} is asked for, the usage chunk) and Anthropic messages
 * ({@code POST /v1/messages}, JSON with {@code tool_use} blocks, or the
 * {@code message_start … message_stop} event stream with {@code input_json_delta}s).
 *
 * <p>Each request to either path takes the next {@link Step} of the script, whatever its
 * format, so one script runs through both formats. A request after the last step gets a 500
 * saying the script is exhausted. Other paths get a 404 and take no step.
 *
 * <p><b>Thread-safety:</b> all methods are thread-safe; requests are served on daemon threads
 * named {@code scripted-model-server-*}. <b>Lifecycle:</b> started by {@link #start()}, listening
 * until {@link #close()}, which releases stalled and delayed answers; close is idempotent.
 *
 * <pre>{@code
 * try (ScriptedModelServer server = ScriptedModelServer.start()) {
 *     server.enqueue(
 *             Reply.toolCall("read_file", "{\"path\":\"src/app.ts\"}"),
 *             ErrorReply.rateLimited(Duration.ofSeconds(1)),
 *             request -> Reply.text("It says: " + request.lastToolResult().orElse("?")));
 *     Models models = Models.builder().environment(server.environment()).build();
 *     ChatModel model = models.chatModel(server.modelName(WireFormat.ANTHROPIC));
 *     ...
 *     assertThat(server.requests()).hasSize(3);
 *     assertThat(server.reportedUsage().output()).isEqualTo(...);
 * }
 * }</pre>
 */
public final class ScriptedModelServer implements AutoCloseable {

    /** The key {@link #environment()} hands out for OpenAI-compatible models. */
    public static final String OPENAI_TEST_KEY = "sk-test-scripted-openai-0123456789abcdef";
    /** The key {@link #environment()} hands out for Anthropic models. */
    public static final String ANTHROPIC_TEST_KEY = "sk-ant-test-scripted-fedcba9876543210";
    /** The model name {@link #modelName} uses. */
    public static final String MODEL = "scripted-model";

    private static final Duration MAX_STALL = Duration.ofMinutes(10);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final HttpServer server;
    private final ExecutorService executor;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Object lock = new Object();
    private final Deque<Step> script = new ArrayDeque<>();
    private final List<RecordedRequest> requests = new ArrayList<>();
    private final List<Exchange> exchanges = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    /**
     * One request and what the server answered.
     *
     * @param request the request
     * @param status the HTTP status sent
     * @param usage the token counts reported, or {@code null} for an error answer
     * @param answer the scripted answer, or {@code null} when none was taken (404, exhausted)
     * @param receivedNanos {@link System#nanoTime()} when the request body had been read
     * @param answeredNanos {@link System#nanoTime()} when the answer had been written and closed,
     *     or 0 while it is still being sent (delayed, streaming, stalled)
     */
    public record Exchange(RecordedRequest request, int status, TokenCounts usage, Step.Answer answer,
            long receivedNanos, long answeredNanos) {

        /** Whether the answer has been sent in full. */
        public boolean answered() {
            return answeredNanos != 0;
        }
    }

    static {
        // Without TCP_NODELAY the JDK server's small flushed writes (one per event) wait for the
        // client's delayed ACK: 40 ms a step that no real provider adds. Read once per JVM by
        // the JDK's server configuration, so set before the first server is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private ScriptedModelServer() throws IOException {
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "scripted-model-server-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server on a free port of 127.0.0.1 with an empty script. */
    public static ScriptedModelServer start() {
        try {
            return new ScriptedModelServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base URL both formats are served under: {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /**
     * A model name for {@code dev.nightshift.model.Models} that reaches this server in
     * {@code format}: {@code openai-compatible:scripted-model@URL} or
     * {@code anthropic:scripted-model@URL}.
     */
    public String modelName(WireFormat format) {
        return (format == WireFormat.ANTHROPIC ? "anthropic:" : "openai-compatible:") + MODEL + "@" + baseUrl();
    }

    /** An environment holding this server's test keys, for {@code Models.builder().environment(..)}. */
    public Map<String, String> environment() {
        return Map.of("OPENAI_COMPATIBLE_API_KEY", OPENAI_TEST_KEY, "OPENAI_API_KEY", OPENAI_TEST_KEY,
                "ANTHROPIC_API_KEY", ANTHROPIC_TEST_KEY);
    }

    /** Appends steps to the script. */
    public ScriptedModelServer enqueue(Step... steps) {
        synchronized (lock) {
            for (Step s : steps) {
                script.addLast(Objects.requireNonNull(s, "step"));
            }
        }
        return this;
    }

    /** Appends {@code step} {@code times} times. */
    public ScriptedModelServer enqueueRepeatedly(int times, Step step) {
        synchronized (lock) {
            for (int i = 0; i < times; i++) {
                script.addLast(Objects.requireNonNull(step, "step"));
            }
        }
        return this;
    }

    /** Steps not yet taken. */
    public int remainingSteps() {
        synchronized (lock) {
            return script.size();
        }
    }

    /** Every request received so far, in order. */
    public List<RecordedRequest> requests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    /** Every request and its answer, in order of the answers' start. */
    public List<Exchange> exchanges() {
        synchronized (lock) {
            return List.copyOf(exchanges);
        }
    }

    /**
     * The exchanges once every one is answered (the server marks an answer after closing it, so
     * a client can hold the answer a moment before the server has noted it), waiting at most
     * {@code timeout}; then as they are.
     */
    public List<Exchange> exchangesWhenAnswered(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (exchanges.stream().anyMatch(e -> !e.answered())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return List.copyOf(exchanges);
        }
    }

    /** The sum of the token counts of every successful answer sent. */
    public TokenCounts reportedUsage() {
        TokenCounts sum = TokenCounts.ZERO;
        for (Exchange e : exchanges()) {
            if (e.usage() != null) {
                sum = sum.plus(e.usage());
            }
        }
        return sum;
    }

    /** Exceptions thrown by scripted lambdas or while answering (answered as 500s). */
    public List<Throwable> failures() {
        synchronized (lock) {
            return List.copyOf(failures);
        }
    }

    /**
     * Waits until request number {@code index} (0-based) has arrived and returns it.
     *
     * @throws AssertionError when it does not arrive within {@code timeout}
     */
    public RecordedRequest awaitRequest(int index, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (requests.size() <= index) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("request #" + index + " did not arrive within " + timeout
                            + "; received " + requests.size());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for request #" + index, e);
                }
            }
            return requests.get(index);
        }
    }

    /** Stops listening and releases stalled and delayed answers. Idempotent. */
    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------

    private void handle(HttpExchange http) throws IOException {
        try (http) {
            byte[] raw = http.getRequestBody().readAllBytes();
            long received = System.nanoTime();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            http.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            String path = http.getRequestURI().getRawPath();
            WireFormat format = null;
            if ("POST".equals(http.getRequestMethod())) {
                for (WireFormat f : WireFormat.values()) {
                    if (f.path().equals(path)) {
                        format = f;
                    }
                }
            }
            RecordedRequest request;
            Step step;
            synchronized (lock) {
                request = new RecordedRequest(requests.size(), http.getRequestMethod(), path, headers,
                        new String(raw, StandardCharsets.UTF_8), format);
                requests.add(request);
                lock.notifyAll();
                step = format == null ? null : script.pollFirst();
            }
            if (format == null) {
                sendJson(http, 404, NODES.objectNode().put("error", "ScriptedModelServer serves POST "
                        + WireFormat.OPENAI.path() + " and POST " + WireFormat.ANTHROPIC.path() + " only"), Map.of());
                record(new Exchange(request, 404, null, null, received, 0));
                answered(request);
                return;
            }
            if (step == null) {
                sendJson(http, 500, errorBody(format, "api_error", "server_error",
                        "ScriptedModelServer: script exhausted at request #" + request.index(), null), Map.of());
                record(new Exchange(request, 500, null, null, received, 0));
                answered(request);
                return;
            }
            Step.Answer answer;
            try {
                answer = Objects.requireNonNull(step.answer(request), "a step answered null");
            } catch (RuntimeException | AssertionError e) {
                synchronized (lock) {
                    failures.add(e);
                }
                sendJson(http, 500, errorBody(format, "api_error", "server_error",
                        "ScriptedModelServer: the step for request #" + request.index() + " threw " + e, null), Map.of());
                record(new Exchange(request, 500, null, null, received, 0));
                answered(request);
                return;
            }
            if (answer instanceof ErrorReply error) {
                record(new Exchange(request, error.status(), null, error, received, 0));
                sendError(http, format, error, request);
                answered(request);
            } else {
                Reply reply = (Reply) answer;
                TokenCounts usage = reply.usage() != null ? reply.usage() : estimate(request, reply);
                record(new Exchange(request, 200, usage, reply, received, 0));
                if (!reply.delay().isZero() && closed.await(reply.delay().toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                if (request.streaming()) {
                    stream(http, format, reply, usage, request);
                    if (reply.stall()) {
                        return;
                    }
                    http.getResponseBody().close();
                } else {
                    if (reply.stall()) {
                        closed.await(MAX_STALL.toMillis(), TimeUnit.MILLISECONDS);
                        return;
                    }
                    sendJson(http, 200, format == WireFormat.OPENAI ? openAiJson(reply, usage, request)
                            : anthropicJson(reply, usage, request), Map.of());
                }
                answered(request);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // The client went away (a cancelled stream) or the answer could not be written.
            synchronized (lock) {
                failures.add(e);
            }
        }
    }

    private void answered(RecordedRequest request) {
        long now = System.nanoTime();
        synchronized (lock) {
            for (int i = exchanges.size() - 1; i >= 0; i--) {
                Exchange e = exchanges.get(i);
                if (e.request() == request) {
                    exchanges.set(i, new Exchange(e.request(), e.status(), e.usage(), e.answer(), e.receivedNanos(), now));
                    lock.notifyAll();
                    return;
                }
            }
        }
    }

    private void record(Exchange e) {
        synchronized (lock) {
            exchanges.add(e);
        }
    }

    private static TokenCounts estimate(RecordedRequest request, Reply reply) {
        long out = reply.text() == null ? 0 : reply.text().length();
        for (ToolCall c : reply.toolCalls()) {
            out += c.name().length() + c.arguments().length();
        }
        return TokenCounts.of(request.body().length() / 4, out / 4 + 1);
    }

    private String id(ToolCall call, WireFormat format) {
        if (call.id() != null) {
            return call.id();
        }
        return (format == WireFormat.ANTHROPIC ? "toolu_" : "call_") + String.format("%04d", ids.incrementAndGet());
    }

    // ---- OpenAI ---------------------------------------------------------------------------

    private ObjectNode openAiJson(Reply reply, TokenCounts usage, RecordedRequest request) {
        ObjectNode message = NODES.objectNode().put("role", "assistant");
        if (reply.text() != null) {
            message.put("content", reply.text());
        } else {
            message.putNull("content");
        }
        if (reply.hasToolCalls()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (ToolCall c : reply.toolCalls()) {
                ObjectNode call = calls.addObject().put("id", id(c, WireFormat.OPENAI)).put("type", "function");
                call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
            }
        }
        ObjectNode body = openAiEnvelope("chat.completion", request);
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        choice.set("message", message);
        choice.putNull("logprobs");
        choice.put("finish_reason", reply.hasToolCalls() ? "tool_calls" : "stop");
        body.set("usage", openAiUsage(usage));
        return body;
    }

    private ObjectNode openAiEnvelope(String object, RecordedRequest request) {
        return NODES.objectNode().put("id", "chatcmpl-scripted-" + request.index()).put("object", object)
                .put("created", 1_760_000_000L + request.index()).put("model", request.model())
                .put("system_fingerprint", "fp_scripted");
    }

    private static ObjectNode openAiUsage(TokenCounts u) {
        ObjectNode usage = NODES.objectNode()
                .put("prompt_tokens", u.totalInput())
                .put("completion_tokens", u.output())
                .put("total_tokens", u.totalInput() + u.output());
        usage.putObject("prompt_tokens_details").put("cached_tokens", u.cacheRead()).put("audio_tokens", 0);
        usage.putObject("completion_tokens_details").put("reasoning_tokens", 0).put("audio_tokens", 0);
        return usage;
    }

    private void openAiStream(Sse sse, Reply reply, TokenCounts usage, RecordedRequest request)
            throws IOException, InterruptedException {
        ObjectNode first = openAiChunk(request);
        ObjectNode delta = ((ObjectNode) first.path("choices").get(0)).putObject("delta").put("role", "assistant");
        if (reply.text() == null) {
            delta.putNull("content");
        } else {
            delta.put("content", "");
        }
        sse.data(first);
        if (reply.stall()) {
            if (reply.text() != null) {
                sse.data(openAiContentChunk(request, pieces(reply.text(), 12).get(0)));
            }
            closed.await(MAX_STALL.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        if (reply.text() != null) {
            for (String piece : pieces(reply.text(), 12)) {
                sse.data(openAiContentChunk(request, piece));
            }
        }
        int index = 0;
        for (ToolCall c : reply.toolCalls()) {
            ObjectNode head = openAiChunk(request);
            ObjectNode call = ((ObjectNode) head.path("choices").get(0)).putObject("delta").putArray("tool_calls")
                    .addObject().put("index", index).put("id", id(c, WireFormat.OPENAI)).put("type", "function");
            call.putObject("function").put("name", c.name()).put("arguments", "");
            sse.data(head);
            for (String piece : pieces(c.arguments(), 16)) {
                ObjectNode chunk = openAiChunk(request);
                ((ObjectNode) chunk.path("choices").get(0)).putObject("delta").putArray("tool_calls").addObject()
                        .put("index", index).putObject("function").put("arguments", piece);
                sse.data(chunk);
            }
            index++;
        }
        ObjectNode last = openAiChunk(request);
        ObjectNode lastChoice = (ObjectNode) last.path("choices").get(0);
        lastChoice.putObject("delta");
        lastChoice.put("finish_reason", reply.hasToolCalls() ? "tool_calls" : "stop");
        sse.data(last);
        if (request.streamOptionsIncludeUsage()) {
            ObjectNode usageChunk = openAiEnvelope("chat.completion.chunk", request);
            usageChunk.putArray("choices");
            usageChunk.set("usage", openAiUsage(usage));
            sse.data(usageChunk);
        }
        sse.raw("data: [DONE]\n\n");
    }

    private ObjectNode openAiChunk(RecordedRequest request) {
        ObjectNode chunk = openAiEnvelope("chat.completion.chunk", request);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return chunk;
    }

    private ObjectNode openAiContentChunk(RecordedRequest request, String piece) {
        ObjectNode chunk = openAiChunk(request);
        ((ObjectNode) chunk.path("choices").get(0)).putObject("delta").put("content", piece);
        return chunk;
    }

    // ---- Anthropic ------------------------------------------------------------------------

    private ObjectNode anthropicJson(Reply reply, TokenCounts usage, RecordedRequest request) {
        ObjectNode body = anthropicMessage(request, reply.hasToolCalls() ? "tool_use" : "end_turn");
        ArrayNode content = body.putArray("content");
        if (reply.text() != null) {
            content.addObject().put("type", "text").put("text", reply.text());
        }
        for (ToolCall c : reply.toolCalls()) {
            ObjectNode block = content.addObject().put("type", "tool_use").put("id", id(c, WireFormat.ANTHROPIC))
                    .put("name", c.name());
            JsonNode input = parseObject(c.arguments());
            // Anthropic's JSON body cannot carry malformed input; the nearest it gets is an
            // object that misses the schema.
            block.set("input", input != null ? input : NODES.objectNode());
        }
        body.set("usage", anthropicUsage(usage, usage.output()));
        return body;
    }

    private static ObjectNode anthropicMessage(RecordedRequest request, String stopReason) {
        ObjectNode body = NODES.objectNode().put("id", "msg_scripted_" + request.index()).put("type", "message")
                .put("role", "assistant").put("model", request.model());
        if (stopReason == null) {
            body.putNull("stop_reason");
        } else {
            body.put("stop_reason", stopReason);
        }
        body.putNull("stop_sequence");
        return body;
    }

    private static ObjectNode anthropicUsage(TokenCounts u, long output) {
        return NODES.objectNode()
                .put("input_tokens", u.input())
                .put("cache_creation_input_tokens", u.cacheWrite())
                .put("cache_read_input_tokens", u.cacheRead())
                .put("output_tokens", output);
    }

    private void anthropicStream(Sse sse, Reply reply, TokenCounts usage, RecordedRequest request)
            throws IOException, InterruptedException {
        ObjectNode start = NODES.objectNode().put("type", "message_start");
        ObjectNode message = anthropicMessage(request, null);
        message.putArray("content");
        message.set("usage", anthropicUsage(usage, 1));
        start.set("message", message);
        sse.event("message_start", start);
        sse.event("ping", NODES.objectNode().put("type", "ping"));
        int index = 0;
        if (reply.text() != null) {
            ObjectNode blockStart = NODES.objectNode().put("type", "content_block_start").put("index", index);
            blockStart.putObject("content_block").put("type", "text").put("text", "");
            sse.event("content_block_start", blockStart);
            List<String> pieces = pieces(reply.text(), 12);
            for (String piece : reply.stall() ? pieces.subList(0, 1) : pieces) {
                ObjectNode delta = NODES.objectNode().put("type", "content_block_delta").put("index", index);
                delta.putObject("delta").put("type", "text_delta").put("text", piece);
                sse.event("content_block_delta", delta);
            }
            if (reply.stall()) {
                closed.await(MAX_STALL.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            sse.event("content_block_stop", NODES.objectNode().put("type", "content_block_stop").put("index", index));
            index++;
        } else if (reply.stall()) {
            closed.await(MAX_STALL.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        for (ToolCall c : reply.toolCalls()) {
            ObjectNode blockStart = NODES.objectNode().put("type", "content_block_start").put("index", index);
            ObjectNode block = blockStart.putObject("content_block").put("type", "tool_use")
                    .put("id", id(c, WireFormat.ANTHROPIC)).put("name", c.name());
            block.putObject("input");
            sse.event("content_block_start", blockStart);
            for (String piece : pieces(c.arguments(), 16)) {
                ObjectNode delta = NODES.objectNode().put("type", "content_block_delta").put("index", index);
                delta.putObject("delta").put("type", "input_json_delta").put("partial_json", piece);
                sse.event("content_block_delta", delta);
            }
            sse.event("content_block_stop", NODES.objectNode().put("type", "content_block_stop").put("index", index));
            index++;
        }
        ObjectNode end = NODES.objectNode().put("type", "message_delta");
        end.putObject("delta").put("stop_reason", reply.hasToolCalls() ? "tool_use" : "end_turn").putNull("stop_sequence");
        end.putObject("usage").put("output_tokens", usage.output());
        sse.event("message_delta", end);
        sse.event("message_stop", NODES.objectNode().put("type", "message_stop"));
    }

    // ---- errors ---------------------------------------------------------------------------

    private void sendError(HttpExchange http, WireFormat format, ErrorReply error, RecordedRequest request)
            throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        if (error.retryAfter() != null) {
            long seconds = (error.retryAfter().toMillis() + 999) / 1000;
            headers.put("Retry-After", Long.toString(seconds));
            if (format == WireFormat.OPENAI) {
                headers.put("retry-after-ms", Long.toString(error.retryAfter().toMillis()));
            }
        }
        boolean openAi = format == WireFormat.OPENAI;
        ObjectNode body = switch (error.kind()) {
            case RATE_LIMITED -> openAi
                    ? errorBody(format, "requests", "rate_limit_exceeded", "Rate limit reached for " + request.model()
                            + " in organization org-scripted on requests per min (RPM): Limit 3, Used 3, Requested 1. "
                            + "Please try again in 1s.", null)
                    : errorBody(format, "rate_limit_error", null, "This request would exceed the rate limit for your "
                            + "organization of 50 requests per minute. Please try again later.", null);
            case UNAUTHORIZED -> openAi
                    ? errorBody(format, "invalid_request_error", "invalid_api_key", "Incorrect API key provided: "
                            + masked(request.header("authorization").orElse("").replaceFirst("^Bearer ", ""))
                            + ". You can find your API key at https://platform.openai.com/account/api-keys.", null)
                    : errorBody(format, "authentication_error", null, "invalid x-api-key", null);
            case PERMISSION_DENIED -> openAi
                    ? errorBody(format, "invalid_request_error", "model_not_found", "The model `" + request.model()
                            + "` does not exist or you do not have access to it.", null)
                    : errorBody(format, "permission_error", null, "Your API key does not have permission to use "
                            + "the specified resource.", null);
            case SERVER_ERROR -> openAi
                    ? errorBody(format, "server_error", null, "The server had an error while processing your "
                            + "request. Sorry about that!", null)
                    : errorBody(format, "api_error", null, "Internal server error", null);
            case OVERLOADED -> openAi
                    ? errorBody(format, "server_error", null, "The engine is currently overloaded, please try again later", null)
                    : errorBody(format, "overloaded_error", null, "Overloaded", null);
            case CONTEXT_LENGTH_EXCEEDED -> openAi
                    ? errorBody(format, "invalid_request_error", "context_length_exceeded", "This model's maximum "
                            + "context length is 128000 tokens. However, your messages resulted in 131072 tokens. "
                            + "Please reduce the length of the messages.", "messages")
                    : errorBody(format, "invalid_request_error", null, "prompt is too long: 212345 tokens > 200000 maximum", null);
            case BAD_REQUEST -> openAi
                    ? errorBody(format, "invalid_request_error", null, "Invalid request.", null)
                    : errorBody(format, "invalid_request_error", null, "Invalid request.", null);
        };
        sendJson(http, error.status(), body, headers);
    }

    private static ObjectNode errorBody(WireFormat format, String type, String code, String message, String param) {
        if (format == WireFormat.ANTHROPIC) {
            ObjectNode body = NODES.objectNode().put("type", "error");
            body.putObject("error").put("type", type).put("message", message);
            body.put("request_id", "req_scripted");
            return body;
        }
        ObjectNode body = NODES.objectNode();
        ObjectNode e = body.putObject("error").put("message", message).put("type", type);
        if (param == null) {
            e.putNull("param");
        } else {
            e.put("param", param);
        }
        if (code == null) {
            e.putNull("code");
        } else {
            e.put("code", code);
        }
        return body;
    }

    /** As OpenAI masks a refused key: the first three and last four characters. */
    private static String masked(String key) {
        if (key.length() <= 8) {
            return "*".repeat(key.length());
        }
        return key.substring(0, 3) + "*".repeat(key.length() - 7) + key.substring(key.length() - 4);
    }

    // ---- plumbing -------------------------------------------------------------------------

    private void stream(HttpExchange http, WireFormat format, Reply reply, TokenCounts usage, RecordedRequest request)
            throws IOException, InterruptedException {
        http.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        http.getResponseHeaders().set("Cache-Control", "no-cache");
        http.getResponseHeaders().set(format == WireFormat.OPENAI ? "x-request-id" : "request-id",
                "req_scripted_" + request.index());
        http.sendResponseHeaders(200, 0);
        Sse sse = new Sse(http.getResponseBody());
        if (format == WireFormat.OPENAI) {
            openAiStream(sse, reply, usage, request);
        } else {
            anthropicStream(sse, reply, usage, request);
        }
    }

    private static void sendJson(HttpExchange http, int status, JsonNode body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = RecordedRequest.write(body).getBytes(StandardCharsets.UTF_8);
        http.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((k, v) -> http.getResponseHeaders().set(k, v));
        http.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = http.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static JsonNode parseObject(String text) {
        try {
            JsonNode node = RecordedRequest.mapper().readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code s} cut into pieces of at most {@code size} characters (one empty piece for ""). */
    static List<String> pieces(String s, int size) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < s.length(); i += size) {
            int end = Math.min(s.length(), i + size);
            if (end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
                end--;
            }
            out.add(s.substring(i, end));
            i = end - size;
        }
        if (out.isEmpty()) {
            out.add("");
        }
        return out;
    }

    /** Writes server-sent events, flushing each. */
    private static final class Sse {
        private final OutputStream out;

        Sse(OutputStream out) {
            this.out = out;
        }

        void data(JsonNode json) throws IOException {
            raw("data: " + RecordedRequest.write(json) + "\n\n");
        }

        void event(String name, JsonNode json) throws IOException {
            raw("event: " + name + "\ndata: " + RecordedRequest.write(json) + "\n\n");
        }

        void raw(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
