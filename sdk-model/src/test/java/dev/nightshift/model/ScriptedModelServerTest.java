package dev.nightshift.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.anthropic.AnthropicTokenUsage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.TokenUsage;
import dev.nightshift.model.testing.ErrorReply;
import dev.nightshift.model.testing.RecordedRequest;
import dev.nightshift.model.testing.Reply;
import dev.nightshift.model.testing.ScriptedModelServer;
import dev.nightshift.model.testing.TokenCounts;
import dev.nightshift.model.testing.ToolCall;
import dev.nightshift.model.testing.WireFormat;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ScriptedModelServer} through the real langchain4j clients built by {@link Models}: both
 * wire formats, streamed and not.
 */
class ScriptedModelServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ToolSpecification READ_FILE = ToolSpecification.builder()
            .name("read_file").description("Read a file of the workspace")
            .parameters(JsonObjectSchema.builder().addStringProperty("path").required("path").build())
            .build();

    private final ScriptedModelServer server = ScriptedModelServer.start();
    private final Models models = Models.builder().environment(server.environment()).build();

    @AfterEach
    void close() {
        server.close();
    }

    static List<Arguments> formats() {
        List<Arguments> all = new ArrayList<>();
        for (WireFormat f : WireFormat.values()) {
            all.add(Arguments.of(f, false));
            all.add(Arguments.of(f, true));
        }
        return all;
    }

    @ParameterizedTest(name = "{0} streaming={1}")
    @MethodSource("formats")
    void toolCallsRoundTripAndUsageIsParsed(WireFormat format, boolean streaming) throws Exception {
        server.enqueue(
                Reply.text("Let me look at both files.").withToolCalls(
                                ToolCall.of("read_file", "{\"path\":\"src/app.ts\"}"),
                                ToolCall.of("read_file", "{\"path\":\"README.md\"}"))
                        .withUsage(new TokenCounts(1200, 40, 800, 300)),
                request -> Reply.text("The file says: " + request.lastToolResult().orElse("nothing"))
                        .withUsage(TokenCounts.of(1300, 12)));

        List<ChatMessage> conversation = new ArrayList<>(List.of(
                SystemMessage.from("You are a coding agent."), UserMessage.from("What is in src/app.ts?")));
        Call first = call(format, streaming, conversation);
        AiMessage ai = first.response.aiMessage();
        assertThat(ai.text()).isEqualTo("Let me look at both files.");
        assertThat(ai.toolExecutionRequests()).extracting(ToolExecutionRequest::name)
                .containsExactly("read_file", "read_file");
        assertThat(JSON.readTree(ai.toolExecutionRequests().get(0).arguments()))
                .isEqualTo(JSON.readTree("{\"path\":\"src/app.ts\"}"));
        assertThat(JSON.readTree(ai.toolExecutionRequests().get(1).arguments()))
                .isEqualTo(JSON.readTree("{\"path\":\"README.md\"}"));
        assertThat(ai.toolExecutionRequests().get(0).id()).isNotBlank()
                .isNotEqualTo(ai.toolExecutionRequests().get(1).id());
        assertUsage(format, first.response.tokenUsage(), new TokenCounts(1200, 40, 800, 300));
        if (streaming) {
            assertThat(String.join("", first.partialTexts)).isEqualTo("Let me look at both files.");
            assertThat(first.partialTexts).as("text arrives in several deltas").hasSizeGreaterThan(1);
            assertThat(first.completeToolCalls).extracting(c -> c.toolExecutionRequest().name())
                    .containsExactly("read_file", "read_file");
        }

        conversation.add(ai);
        conversation.add(ToolExecutionResultMessage.from(ai.toolExecutionRequests().get(0), "export const x = 1;"));
        conversation.add(ToolExecutionResultMessage.from(ai.toolExecutionRequests().get(1), "# readme"));
        Call second = call(format, streaming, conversation);
        assertThat(second.response.aiMessage().text()).isEqualTo("The file says: # readme");
        assertThat(second.response.aiMessage().hasToolExecutionRequests()).isFalse();
        assertUsage(format, second.response.tokenUsage(), TokenCounts.of(1300, 12));

        List<RecordedRequest> requests = server.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.format()).isEqualTo(format);
            assertThat(r.path()).isEqualTo(format.path());
            assertThat(r.streaming()).isEqualTo(streaming);
            assertThat(r.model()).isEqualTo(ScriptedModelServer.MODEL);
            assertThat(r.toolNames()).containsExactly("read_file");
            assertThat(r.systemPrompt()).contains("You are a coding agent.");
            assertThat(r.header("upgrade")).as("HTTP/1.1 only, no h2c upgrade").isEmpty();
        });
        assertThat(requests.get(0).toolResults()).isEmpty();
        assertThat(requests.get(1).toolResults()).containsExactly("export const x = 1;", "# readme");
        assertThat(requests.get(1).lastUserText()).contains("What is in src/app.ts?");
        assertThat(server.reportedUsage()).isEqualTo(new TokenCounts(2500, 52, 800, 300));
        assertThat(server.remainingSteps()).isZero();
        assertThat(server.failures()).isEmpty();
        assertThat(server.exchangesWhenAnswered(java.time.Duration.ofSeconds(10))).allSatisfy(e -> {
            assertThat(e.answered()).isTrue();
            assertThat(e.answeredNanos()).isGreaterThanOrEqualTo(e.receivedNanos());
        });
        if (streaming && format == WireFormat.OPENAI) {
            assertThat(requests.get(0).json().path("stream_options").path("include_usage").asBoolean()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0} streaming={1}")
    @MethodSource("formats")
    void theKeyTravelsInTheProvidersHeader(WireFormat format, boolean streaming) throws Exception {
        server.enqueue(Reply.text("hi"));
        call(format, streaming, List.of(UserMessage.from("hello")));
        RecordedRequest r = server.requests().get(0);
        if (format == WireFormat.ANTHROPIC) {
            assertThat(r.header("x-api-key")).contains(ScriptedModelServer.ANTHROPIC_TEST_KEY);
            assertThat(r.header("anthropic-version")).isPresent();
            assertThat(r.header("authorization")).isEmpty();
        } else {
            assertThat(r.header("authorization")).contains("Bearer " + ScriptedModelServer.OPENAI_TEST_KEY);
        }
    }

    @Test
    void anOpenAiKeyIsNotSentToAnOpenAiCompatibleServer() {
        server.enqueue(Reply.text("hi"));
        Models onlyOpenAi = Models.builder().environment(Map.of("OPENAI_API_KEY", "sk-real-openai-key-1234567")).build();
        onlyOpenAi.chatModel(server.modelName(WireFormat.OPENAI)).chat(UserMessage.from("hello"));
        assertThat(server.requests().get(0).header("authorization")).isEmpty();
        assertThat(server.requests().get(0).body()).doesNotContain("sk-real-openai-key");
    }

    @Test
    void theUpgradeCheckSeesAnHttp2Client() throws Exception {
        // Control for the "no upgrade header" assertion: a default JDK client over http:// asks for h2c.
        server.enqueue(Reply.text("hi"));
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(server.requests().get(0).header("upgrade")).contains("h2c");
    }

    static List<Arguments> errors() {
        List<Arguments> all = new ArrayList<>();
        for (Arguments f : formats()) {
            WireFormat format = (WireFormat) f.get()[0];
            boolean streaming = (boolean) f.get()[1];
            all.add(Arguments.of(format, streaming, ErrorReply.rateLimited(Duration.ofSeconds(7)), RateLimitException.class, 429));
            all.add(Arguments.of(format, streaming, ErrorReply.unauthorized(), AuthenticationException.class, 401));
            all.add(Arguments.of(format, streaming, ErrorReply.serverError(), InternalServerException.class, 500));
            all.add(Arguments.of(format, streaming, ErrorReply.contextLengthExceeded(), InvalidRequestException.class, 400));
        }
        return all;
    }

    @ParameterizedTest(name = "{0} streaming={1} {4}")
    @MethodSource("errors")
    void errorsMapToLangchain4jExceptions(WireFormat format, boolean streaming, ErrorReply error,
            Class<? extends Throwable> expected, int status) {
        server.enqueue(error);
        Throwable thrown = catchThrowable(() -> call(format, streaming, List.of(UserMessage.from("hello"))));
        assertThat(thrown).isInstanceOf(expected);
        HttpException http = cause(thrown, HttpException.class);
        assertThat(http).as("HTTP status on the cause of %s", thrown).isNotNull();
        assertThat(http.statusCode()).isEqualTo(status);
        JsonNode body = readJson(http.getMessage());
        if (format == WireFormat.ANTHROPIC) {
            assertThat(body.path("type").asText()).isEqualTo("error");
            assertThat(body.path("error").path("type").asText()).isNotBlank();
        } else {
            assertThat(body.path("error").path("message").asText()).isNotBlank();
        }
        if (error.kind() == ErrorReply.Kind.RATE_LIMITED) {
            assertThat(Models.retryAfter(thrown)).as("Retry-After kept through langchain4j").contains(Duration.ofSeconds(7));
            assertThat(http.getMessage()).endsWith(format == WireFormat.OPENAI ? "(Retry-After: 7000 ms)" : "(Retry-After: 7 s)");
        } else {
            assertThat(Models.retryAfter(thrown)).isEmpty();
        }
        if (error.kind() == ErrorReply.Kind.CONTEXT_LENGTH_EXCEEDED) {
            assertThat(http.getMessage()).containsAnyOf("context_length_exceeded", "prompt is too long");
        }
        if (error.kind() == ErrorReply.Kind.UNAUTHORIZED) {
            assertThat(http.getMessage()).doesNotContain(ScriptedModelServer.OPENAI_TEST_KEY)
                    .doesNotContain(ScriptedModelServer.ANTHROPIC_TEST_KEY);
        }
        assertThat(server.exchanges()).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.usage()).isNull();
        });
    }

    @Test
    void rateLimitCarriesRetryAfter() throws Exception {
        server.enqueue(ErrorReply.rateLimited(Duration.ofMillis(1500)));
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/messages"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("retry-after")).contains("2");
        assertThat(readJson(r.body()).path("error").path("type").asText()).isEqualTo("rate_limit_error");
    }

    @ParameterizedTest(name = "{0} streaming={1}")
    @MethodSource("formats")
    void malformedArgumentsReachTheCallerAsNonObjects(WireFormat format, boolean streaming) throws Exception {
        server.enqueue(Reply.toolCall("read_file", "{\"path\": \"src/app.ts\""));
        Call call = call(format, streaming, List.of(UserMessage.from("read it")));
        ToolExecutionRequest request = call.response.aiMessage().toolExecutionRequests().get(0);
        assertThat(request.name()).isEqualTo("read_file");
        if (format == WireFormat.ANTHROPIC && !streaming) {
            // Anthropic's JSON body cannot carry malformed input: the closest it gets is an object
            // that misses the schema.
            assertThat(JSON.readTree(request.arguments())).isEqualTo(JSON.readTree("{}"));
        } else {
            assertThat(isJsonObject(request.arguments())).as("arguments %s", request.arguments()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void aDelayedAnswerTimesOutOnTheReadTimeout(WireFormat format) {
        server.enqueue(Reply.text("too late").delayed(Duration.ofSeconds(30)));
        Models impatient = models.toBuilder().readTimeout(Duration.ofMillis(500)).build();
        long start = System.nanoTime();
        Throwable thrown = catchThrowable(() ->
                impatient.chatModel(server.modelName(format)).chat(UserMessage.from("hello")));
        assertThat(thrown).isInstanceOf(TimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("well before the 30 s answer")
                .isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aDelayedAnswerWithinTheReadTimeoutArrives() {
        server.enqueue(Reply.text("in time").delayed(Duration.ofMillis(200)));
        assertThat(models.chatModel(server.modelName(WireFormat.OPENAI)).chat(UserMessage.from("hello"))
                .aiMessage().text()).isEqualTo("in time");
    }

    @Test
    void aStalledStreamSendsItsFirstPieceAndThenNothing() throws Exception {
        server.enqueue(Reply.text("first piece, and then silence").stalled());
        CompletableFuture<String> firstPiece = new CompletableFuture<>();
        CompletableFuture<Object> end = new CompletableFuture<>();
        models.streamingChatModel(server.modelName(WireFormat.ANTHROPIC)).chat(
                ChatRequest.builder().messages(UserMessage.from("hello")).build(),
                new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(String text) {
                        firstPiece.complete(text);
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse response) {
                        end.complete(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        end.complete(error);
                    }
                });
        assertThat(firstPiece.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("first piece,");
        server.awaitRequest(0, WAIT);
        assertThat(end).as("a stalled stream neither completes nor fails by itself").isNotDone();
        assertThat(server.exchanges().get(0).answered()).isFalse();
        // Observed with langchain4j 1.19.0: when the server then closes the connection, the
        // streaming client calls neither onCompleteResponse nor onError; only a watchdog ends it.
    }

    @Test
    void anExhaustedScriptAnswers500AndOtherPaths404() throws Exception {
        Throwable thrown = catchThrowable(() -> models.chatModel(server.modelName(WireFormat.OPENAI))
                .chat(UserMessage.from("hello")));
        assertThat(thrown).isInstanceOf(InternalServerException.class).hasMessageContaining("script exhausted");
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/models")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(server.requests()).extracting(RecordedRequest::path)
                .containsExactly("/v1/chat/completions", "/v1/models");
    }

    @Test
    void aThrowingStepIsA500AndIsKept() {
        server.enqueue(request -> {
            throw new IllegalStateException("no tool result in " + request);
        });
        Throwable thrown = catchThrowable(() -> models.chatModel(server.modelName(WireFormat.ANTHROPIC))
                .chat(UserMessage.from("hello")));
        assertThat(thrown).isInstanceOf(InternalServerException.class);
        assertThat(server.failures()).singleElement().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anEstimatedUsageGrowsWithTheConversation() {
        server.enqueue(Reply.text("a"), Reply.text("b"));
        var model = models.chatModel(server.modelName(WireFormat.ANTHROPIC));
        TokenUsage small = model.chat(UserMessage.from("hi")).tokenUsage();
        TokenUsage large = model.chat(UserMessage.from("hi ".repeat(2000))).tokenUsage();
        assertThat(large.inputTokenCount()).isGreaterThan(small.inputTokenCount() + 1000);
    }

    // ---------------------------------------------------------------------------------------

    private static void assertUsage(WireFormat format, TokenUsage usage, TokenCounts expected) {
        assertThat(usage.outputTokenCount()).isEqualTo((int) expected.output());
        if (format == WireFormat.OPENAI) {
            assertThat(usage).isInstanceOf(OpenAiTokenUsage.class);
            assertThat(usage.inputTokenCount()).as("OpenAI's prompt_tokens include cached tokens")
                    .isEqualTo((int) expected.totalInput());
            if (expected.cacheRead() > 0) {
                assertThat(((OpenAiTokenUsage) usage).inputTokensDetails().cachedTokens())
                        .isEqualTo((int) expected.cacheRead());
            }
        } else {
            assertThat(usage).isInstanceOf(AnthropicTokenUsage.class);
            AnthropicTokenUsage a = (AnthropicTokenUsage) usage;
            assertThat(a.inputTokenCount()).as("Anthropic's input_tokens exclude cache reads and writes")
                    .isEqualTo((int) expected.input());
            assertThat(a.cacheReadInputTokens()).isEqualTo((int) expected.cacheRead());
            assertThat(a.cacheCreationInputTokens()).isEqualTo((int) expected.cacheWrite());
        }
    }

    private record Call(ChatResponse response, List<String> partialTexts, List<CompleteToolCall> completeToolCalls) {
    }

    private Call call(WireFormat format, boolean streaming, List<ChatMessage> messages) throws Exception {
        ChatRequest request = ChatRequest.builder().messages(messages).toolSpecifications(READ_FILE).build();
        if (!streaming) {
            return new Call(models.chatModel(server.modelName(format)).chat(request), List.of(), List.of());
        }
        StreamingChatModel model = models.streamingChatModel(server.modelName(format));
        List<String> partial = Collections.synchronizedList(new ArrayList<>());
        List<CompleteToolCall> complete = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String text) {
                partial.add(text);
            }

            @Override
            public void onCompleteToolCall(CompleteToolCall call) {
                complete.add(call);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        try {
            return new Call(done.get(WAIT.toSeconds(), TimeUnit.SECONDS), List.copyOf(partial), List.copyOf(complete));
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static boolean isJsonObject(String text) {
        try {
            return JSON.readTree(text).isObject();
        } catch (Exception e) {
            return false;
        }
    }
}
