package dev.nightshift.model.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.nightshift.api.AgentContext;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.ModelPrice;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.TokenUsage;
import dev.nightshift.api.Turn;
import dev.nightshift.api.TurnResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One turn of a model driver; see the package documentation of {@code dev.nightshift.model} for the
 * map. Not thread-safe: one instance per turn, on the turn's thread.
 */
public final class TurnLoop {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String INTERRUPTED = "[interrupted: the agent was stopped or a human took over the machine while"
            + " this ran; run it again if you still need it]";
    static final String SUMMARISE = "You compact the conversation of a coding agent so that it can go on with less"
            + " context. Write a summary the agent can continue from: the user's requests (verbatim), what was done"
            + " and found, files read and changed, commands run and their results, errors still open, and what"
            + " remains to do. Be concrete (paths, names, numbers); no preamble.";

    private final LoopSettings s;
    private final AgentContext ctx;
    private final Tools tools;
    private final String system;
    private List<ConversationMessage> entries;
    private List<ChatMessage> messages;
    private long lastInputTokens;
    private long charsAtLastCall;
    private long turnTokens;

    public TurnLoop(LoopSettings settings, AgentContext context, Tools tools, String systemPrompt) {
        this.s = settings;
        this.ctx = context;
        this.tools = tools;
        this.system = systemPrompt;
    }

    public TurnResult run(Turn turn) {
        entries = new ArrayList<>(Conversations.live(ctx.conversation()));
        messages = new ArrayList<>(Conversations.toMessages(entries));
        Instant deadline = s.maxTurnTime() == null ? null : Instant.now().plus(s.maxTurnTime());
        Repeats repeats = new Repeats(s.maxRepeatedFailures());
        boolean contextRetried = false;
        int steps = 0;
        while (true) {
            ctx.checkpoint();
            if (steps >= s.maxSteps()) {
                throw new NightshiftException("turn " + turn.number() + " reached its limit of " + s.maxSteps()
                        + " steps without a final answer from the model");
            }
            if (deadline != null && Instant.now().isAfter(deadline)) {
                throw new NightshiftException("turn " + turn.number() + " ran past its limit of " + s.maxTurnTime());
            }
            if (s.maxTokensPerTurn() > 0 && turnTokens >= s.maxTokensPerTurn()) {
                throw new NightshiftException("turn " + turn.number() + " used " + turnTokens + " tokens, its limit is "
                        + s.maxTokensPerTurn());
            }
            compactIfNear(false);
            ChatResponse response;
            try {
                response = call(request(messages, true), true);
            } catch (ContextLengthExceeded e) {
                if (contextRetried) {
                    throw new NightshiftException(s.provider() + " model " + s.modelName() + " refused the conversation"
                            + " as too long for its context window even after compaction: " + e.getMessage());
                }
                contextRetried = true;
                ctx.warn("the conversation is too long for " + s.modelName() + "'s context window; compacting it");
                compact(true);
                continue;
            } catch (CallInterruptedException e) {
                Thread.interrupted();
                ctx.checkpoint(); // throws when stopping; returns after a hand-back: the step runs again
                continue;
            }
            contextRetried = false;
            steps++;
            charsAtLastCall = chars(messages);
            AiMessage ai = response.aiMessage();
            String text = ai.text() == null ? "" : ai.text();
            List<ConversationMessage.ToolCall> calls = new ArrayList<>();
            if (ai.hasToolExecutionRequests()) {
                for (ToolExecutionRequest r : ai.toolExecutionRequests()) {
                    String id = r.id() == null || r.id().isBlank() ? "call_" + UUID.randomUUID() : r.id();
                    calls.add(new ConversationMessage.ToolCall(id, r.name() == null ? "" : r.name(), r.arguments()));
                }
            }
            ConversationMessage stored = ctx.record(ConversationMessage.assistant(newId(), text, calls, Instant.now()));
            append(stored);
            if (calls.isEmpty()) {
                String answer = stored.text().strip();
                return TurnResult.of(answer.isEmpty() ? "(the model ended the turn without an answer)" : answer);
            }
            for (int i = 0; i < calls.size(); i++) {
                ConversationMessage.ToolCall call = calls.get(i);
                ConversationMessage.ToolCall shown = stored.toolCalls().get(i);
                ToolOutcome outcome = runTool(call, shown.arguments());
                ConversationMessage result = ctx.record(ConversationMessage.toolResult(newId(), call.id(), call.name(),
                        outcome.text(), outcome.error(), Instant.now()));
                append(result);
                if (outcome.text().equals(INTERRUPTED)) {
                    ctx.checkpoint(); // throws when stopping; after a hand-back the loop goes on
                }
                repeats.check(call, outcome);
            }
        }
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    private void append(ConversationMessage m) {
        entries.add(m);
        if (m.type() == ConversationMessage.Type.TOOL_RESULT) {
            ConversationMessage.ToolResult r = m.toolResult().orElseThrow();
            messages.add(Conversations.result(r.toolCallId(), r.toolName(), m.text(), r.error()));
        } else if (m.type() == ConversationMessage.Type.ASSISTANT_MESSAGE
                && (!m.toolCalls().isEmpty() || !m.text().isBlank())) {
            messages.add(Conversations.ai(m));
        }
    }

    private ChatRequest request(List<ChatMessage> body, boolean withTools) {
        List<ChatMessage> all = new ArrayList<>(body.size() + 1);
        all.add(SystemMessage.from(system));
        all.addAll(body);
        ChatRequest.Builder b = ChatRequest.builder().messages(all);
        if (withTools) {
            b.toolSpecifications(tools.specifications());
        }
        return b.build();
    }

    // ------------------------------------------------------------------ tools

    private ToolOutcome runTool(ConversationMessage.ToolCall call, String shownArguments) {
        Instant start = Instant.now();
        ctx.toolCallStarted(call.id(), call.name(), shownArguments);
        ToolOutcome outcome;
        JsonNode args = null;
        try {
            args = JSON.readTree(call.arguments().isBlank() ? "{}" : call.arguments());
        } catch (Exception e) {
            args = null;
        }
        if (args == null || !args.isObject()) {
            outcome = ToolOutcome.error("the arguments of " + call.name() + " are not a JSON object: "
                    + Output.cut(call.arguments(), 200) + "; call it again with a JSON object of its parameters");
        } else {
            try {
                outcome = tools.run(call.name(), args, ctx);
            } catch (ToolException e) {
                outcome = ToolOutcome.error(e.getMessage());
            } catch (ToolInterruptedException e) {
                outcome = ToolOutcome.error(INTERRUPTED);
            } catch (NightshiftException e) {
                // a stop or take-over can reach the tool as an interrupted wait rather than a killed command
                outcome = ToolOutcome.error(ctx.isCancelled() || interrupted(e) ? INTERRUPTED
                        : call.name() + " failed: " + e.getMessage());
            }
        }
        String text = Output.cut(ctx.redact(outcome.text()), s.maxToolOutputChars());
        ctx.toolCallFinished(call.id(), call.name(), shownArguments, outcome.error(),
                Output.cut(text, s.maxEventResultChars()), outcome.exitCode(), Duration.between(start, Instant.now()));
        return new ToolOutcome(text, outcome.error(), outcome.exitCode());
    }

    private static boolean interrupted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InterruptedException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }

    /** Ends the turn when the model makes the same failing call too many times in a row. */
    static final class Repeats {
        private final int max;
        private String last;
        private int count;

        Repeats(int max) {
            this.max = max;
        }

        void check(ConversationMessage.ToolCall call, ToolOutcome outcome) {
            boolean failing = outcome.error() || outcome.exitCode() != null && outcome.exitCode() != 0;
            if (outcome.text().equals(INTERRUPTED)) {
                return;
            }
            if (!failing) {
                last = null;
                count = 0;
                return;
            }
            String key = call.name() + " " + canonical(call.arguments()); // parsed only for a failing call
            count = key.equals(last) ? count + 1 : 1;
            last = key;
            if (count >= max) {
                throw new NightshiftException("the model made the same failing call " + max + " times in a row: "
                        + call.name() + " " + Output.cut(call.arguments(), 200) + " -> "
                        + Output.cut(outcome.text().strip(), 300));
            }
        }

        static String canonical(String arguments) {
            try {
                JsonNode n = JSON.readTree(arguments);
                return n == null ? arguments : JSON.writeValueAsString(JSON.treeToValue(n, Object.class));
            } catch (Exception e) {
                return arguments;
            }
        }
    }

    // ------------------------------------------------------------------ model calls

    /** A model call with the retry policy: 429, 5xx, timeouts, refused connections and idle streams are retried. */
    private ChatResponse call(ChatRequest request, boolean streamDeltas) {
        for (int attempt = 0; ; attempt++) {
            try {
                ChatResponse r = ModelCaller.call(s.chat(), s.chat() != null && !streamDeltas ? null : s.streaming(),
                        request, ctx, s.streamIdleTimeout(), streamDeltas ? ctx::assistantDelta : text -> { });
                report(r);
                return r;
            } catch (CallInterruptedException | dev.nightshift.api.AgentCancelledException e) {
                throw e;
            } catch (RuntimeException e) {
                ProviderErrors.Classified c = ProviderErrors.classify(e);
                switch (c.kind()) {
                    case AUTH -> throw new NightshiftException(s.provider() + " refused the request for model "
                            + s.modelName() + " (" + c.detail() + "): check the API key it is configured with");
                    case CONTEXT_LENGTH -> throw new ContextLengthExceeded(ctx.redact(c.detail()));
                    case FATAL -> throw new NightshiftException(s.provider() + " model " + s.modelName() + " failed: "
                            + ctx.redact(c.detail()));
                    default -> {
                        int tried = attempt;
                        if (attempt >= s.maxRetries()) {
                            throw new NightshiftException(s.provider() + " model " + s.modelName() + " still failing after "
                                    + (attempt + 1) + " attempts: " + ctx.redact(c.detail()));
                        }
                        Duration wait = c.retryAfter().map(d -> d.compareTo(s.maxBackoff()) > 0 ? s.maxBackoff() : d)
                                .orElseGet(() -> backoff(tried));
                        ctx.warn(s.provider() + " model " + s.modelName() + ": " + ctx.redact(c.detail())
                                + "; retrying in " + wait.toMillis() + " ms (attempt " + (attempt + 2) + " of "
                                + (s.maxRetries() + 1) + ")");
                        pause(wait);
                    }
                }
            }
        }
    }

    private Duration backoff(int attempt) {
        long base = s.baseBackoff().toMillis() << Math.min(attempt, 20);
        long capped = Math.min(base, s.maxBackoff().toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    /** Waits before a retry; an interrupt hook (stop, take-over) ends the wait like an interrupted call. */
    private void pause(Duration wait) {
        CountDownLatch woken = new CountDownLatch(1);
        try (var r = ctx.onInterrupt(woken::countDown)) {
            if (woken.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new CallInterruptedException();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallInterruptedException();
        }
    }

    private void report(ChatResponse r) {
        long[] u = Usages.of(r.tokenUsage());
        lastInputTokens = u[0];
        turnTokens += u[0] + u[1];
        ModelPrice price = price(s.prices(), s.modelName());
        double cost = price == null ? 0 : price.cost(u[0], u[1], u[2], u[3]);
        ctx.reportModelUsage(new TokenUsage(s.modelName(), u[0], u[1], u[2], u[3], cost));
    }

    /** The price of {@code name} ({@code provider:model@url}) by the full name, without the URL, or the model alone. */
    static ModelPrice price(java.util.Map<String, ModelPrice> prices, String name) {
        String noUrl = name.indexOf('@') > 0 ? name.substring(0, name.indexOf('@')) : name;
        String model = noUrl.indexOf(':') > 0 ? noUrl.substring(noUrl.indexOf(':') + 1) : noUrl;
        for (String key : new String[] {name, noUrl, model}) {
            ModelPrice p = prices.get(key);
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ context window

    static final class ContextLengthExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ContextLengthExceeded(String message) {
            super(message, null, false, false);
        }
    }

    private static long chars(List<ChatMessage> list) {
        long n = 0;
        for (ChatMessage m : list) {
            n += length(m);
        }
        return n;
    }

    /** {@code text(m).length()} without building the text: counted every step over the whole conversation. */
    private static long length(ChatMessage m) {
        if (m instanceof AiMessage a) {
            long n = a.text() == null ? 0 : a.text().length();
            if (a.hasToolExecutionRequests()) {
                for (ToolExecutionRequest r : a.toolExecutionRequests()) {
                    n += String.valueOf(r.name()).length() + String.valueOf(r.arguments()).length();
                }
            }
            return n;
        }
        return text(m).length();
    }

    private static String text(ChatMessage m) {
        if (m instanceof UserMessage u) {
            return u.hasSingleText() ? u.singleText() : String.valueOf(u.contents());
        } else if (m instanceof AiMessage a) {
            StringBuilder b = new StringBuilder(a.text() == null ? "" : a.text());
            if (a.hasToolExecutionRequests()) {
                a.toolExecutionRequests().forEach(r -> b.append(r.name()).append(r.arguments()));
            }
            return b.toString();
        } else if (m instanceof ToolExecutionResultMessage t) {
            return t.text();
        }
        return "";
    }

    /** Tokens the next request would take: scaled from the last reported input, else about 4 characters a token. */
    long estimateTokens() {
        long now = chars(messages) + system.length();
        if (lastInputTokens > 0 && charsAtLastCall > 0) {
            return lastInputTokens * now / (charsAtLastCall + system.length());
        }
        return now / 4;
    }

    private void compactIfNear(boolean forced) {
        if (s.contextWindow() <= 0 || estimateTokens() < s.contextWindow() * s.compactAt()) {
            return;
        }
        compact(forced);
    }

    /** Elides the oldest tool results; when that is not enough (or {@code forced}), summarises older entries. */
    private void compact(boolean forced) {
        elide(forced ? 1 : s.keepToolResults());
        if (!forced && estimateTokens() < s.contextWindow() * s.compactAt()) {
            return;
        }
        summarise(forced);
    }

    private void elide(int keep) {
        int seen = 0;
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof ToolExecutionResultMessage t) {
                if (++seen > keep && !t.text().startsWith("[elided")) {
                    messages.set(i, Conversations.result(t.id(), t.toolName(), "[elided to save context: "
                            + t.text().length() + " characters of " + t.toolName() + " output; run it again if needed]",
                            Boolean.TRUE.equals(t.isError())));
                }
            }
        }
        lastInputTokens = 0; // the estimate falls back to characters until the next call reports
    }

    private void summarise(boolean forced) {
        long total = 0;
        long[] before = new long[entries.size() + 1];
        for (int i = 0; i < entries.size(); i++) {
            before[i] = total;
            total += entries.get(i).text().length() + entries.get(i).toolCalls().toString().length();
        }
        int cut = -1;
        for (int i = entries.size() - 1; i >= 1; i--) {
            ConversationMessage.Type t = entries.get(i).type();
            if (t == ConversationMessage.Type.USER_MESSAGE || t == ConversationMessage.Type.ASSISTANT_MESSAGE) {
                if (forced || cut < 0 || before[i] >= total / 2) {
                    cut = i;
                }
                if (forced || before[i] < total / 2) {
                    break;
                }
            }
        }
        if (cut < 1) {
            return; // nothing older than the step under way
        }
        StringBuilder transcript = new StringBuilder();
        for (ConversationMessage m : entries.subList(0, cut)) {
            switch (m.type()) {
                case SUMMARY -> transcript.append("EARLIER SUMMARY:\n").append(m.text());
                case USER_MESSAGE -> transcript.append("USER:\n").append(m.text());
                case ASSISTANT_MESSAGE -> {
                    transcript.append("AGENT:\n").append(m.text());
                    m.toolCalls().forEach(c -> transcript.append("\n[calls ").append(c.name()).append(' ')
                            .append(Output.cut(c.arguments(), 500)).append(']'));
                }
                case TOOL_RESULT -> transcript.append("RESULT of ").append(m.toolResult().orElseThrow().toolName())
                        .append(m.toolResult().orElseThrow().error() ? " (error)" : "").append(":\n").append(Output.cut(m.text(), 2000));
                default -> { }
            }
            transcript.append("\n\n");
        }
        long budget = Math.max(4000, s.contextWindow() * 2);
        String body = Output.cut(transcript.toString(), (int) Math.min(Integer.MAX_VALUE - 8, budget));
        ChatRequest request = ChatRequest.builder().messages(List.of(SystemMessage.from(SUMMARISE),
                UserMessage.from("The conversation so far:\n\n" + body + "\nWrite the summary now."))).build();
        ChatResponse r = call(request, false);
        String summary = r.aiMessage().text() == null ? "" : r.aiMessage().text().strip();
        if (summary.isEmpty()) {
            throw new NightshiftException(s.provider() + " model " + s.modelName() + " returned an empty summary while"
                    + " compacting the conversation");
        }
        ConversationMessage stored = ctx.record(ConversationMessage.summary(newId(), summary,
                entries.get(cut - 1).id(), Instant.now()));
        List<ConversationMessage> kept = new ArrayList<>();
        kept.add(stored);
        kept.addAll(entries.subList(cut, entries.size()));
        entries = kept;
        messages = new ArrayList<>(Conversations.toMessages(entries));
        lastInputTokens = 0;
    }
}
