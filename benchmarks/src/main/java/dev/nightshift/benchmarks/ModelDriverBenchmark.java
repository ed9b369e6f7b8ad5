package dev.nightshift.benchmarks;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.common.FileTrees;
import dev.nightshift.core.Nightshift;
import dev.nightshift.model.ModelDriver;
import dev.nightshift.model.Models;
import dev.nightshift.model.testing.Reply;
import dev.nightshift.model.testing.ScriptedModelServer;
import dev.nightshift.model.testing.ScriptedModelServer.Exchange;
import dev.nightshift.model.testing.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The model driver's own cost, next to a bare langchain4j loop against the same
 * {@link ScriptedModelServer}:
 * <ul>
 *   <li>orchestration overhead per step over one scripted turn of 100 steps on the real engine
 *       (Docker machine, file store, events, redaction): from the model's answer received (the
 *       langchain4j client hands the complete response back) to the next request sent (handed to
 *       the client), minus the tool's own run time (ToolCallStarted to ToolCallFinished), noted in
 *       process by {@link TimedStreamingModel}; the baseline is the same gap for a loop that only
 *       calls langchain4j and appends a fixed tool result; target ≤ 5 ms median. The gap as the
 *       server sees it (answer sent to next request arrived) is printed beside it: it adds the
 *       HTTP client's and the server's own share, which is the same for both loops;</li>
 *   <li>heap per conversation of 1,000 messages, held as the store returns it
 *       ({@link ConversationMessage}) and as it is sent (langchain4j {@link ChatMessage}), next to
 *       the bytes of its text.</li>
 * </ul>
 * Needs a Docker engine and the base image (scripts/docker-up, scripts/base-image).
 */
public final class ModelDriverBenchmark {
    private static final long TARGET_NANOS = 5_000_000;

    public static void main(String[] args) throws Exception {
        Bench bench = Bench.of("Model driver: orchestration overhead per step, heap per conversation", args);
        int steps = bench.size(100, 10);
        int conversations = bench.size(20, 2);
        Path dir = Files.createTempDirectory("nightshift-model-bench");
        boolean holds = true;
        try {
            String remote = remote(dir.resolve("repo"));
            Path shm = Path.of("/dev/shm");
            Path tmpfs = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "nightshift-model-bench") : null;
            try {
                if (!bench.smoke()) {
                    // warm-up, not measured: both wire formats once through the engine's and the client's
                    // code, so that the first measured turn is not the one that pays for JIT compilation
                    for (WireFormat format : WireFormat.values()) {
                        engineTurn(dir.resolve("warm-up-" + format), remote, format, 30);
                        bareLoop(format, 30);
                    }
                }
                for (WireFormat format : WireFormat.values()) {
                    String f = format.name().toLowerCase(Locale.ROOT);
                    Gaps ours = engineTurn(dir.resolve("state-" + format), remote, format, steps);
                    Gaps bare = bareLoop(format, steps);
                    long median = median(ours.inProcess());
                    holds &= median <= TARGET_NANOS;
                    bench.row(f + " streamed, " + steps + "-step turn: median per step", Bench.millis(median),
                            Bench.millis(median(bare.inProcess())) + " bare langchain4j", "<= 5 ms",
                            median <= TARGET_NANOS);
                    bench.row(f + " streamed: p90 per step", Bench.millis(percentile(ours.inProcess(), 90)),
                            Bench.millis(percentile(bare.inProcess(), 90)) + " bare langchain4j", "-");
                    bench.row(f + " streamed, on the wire (server's view): median per step",
                            Bench.millis(median(ours.wire())), Bench.millis(median(bare.wire())) + " bare langchain4j",
                            "(with the HTTP client's share)");
                    if (tmpfs != null) {
                        // the same turn with the store on tmpfs: what the store's disk writes cost per step
                        Gaps noSync = engineTurn(tmpfs.resolve("state-" + format), remote, format, steps);
                        bench.row(f + " streamed, store on tmpfs: median per step", Bench.millis(median(noSync.inProcess())),
                                Bench.millis(median(bare.inProcess())) + " bare langchain4j", "(where the time goes)");
                    }
                }
            } finally {
                if (tmpfs != null) {
                    deleteTree(tmpfs);
                }
            }
            long[] heap = conversationHeap(conversations);
            bench.row("heap per conversation of 1,000 messages (store + langchain4j form)",
                    String.format(Locale.ROOT, "%.2f MiB", heap[0] / 1048576.0),
                    String.format(Locale.ROOT, "%.2f MiB of text", heap[1] / 1048576.0), "content-bound");
        } finally {
            deleteTree(dir);
        }
        bench.print();
        System.out.println(holds ? "target holds: median orchestration overhead <= 5 ms per step"
                : "target MISSED: median orchestration overhead > 5 ms per step");
    }

    /** Removes the images (environment snapshots) the engine made for the store in {@code state}. */
    static void deleteStoreImages(Path state) {
        try (dev.nightshift.docker.DockerRuntime runtime = new dev.nightshift.docker.DockerRuntime()) {
            runtime.snapshots(Map.of("dev.nightshift.store.path", state.toAbsolutePath().normalize().toString()))
                    .stream().sorted((a, b) -> b.createdAt().compareTo(a.createdAt()))
                    .forEach(s -> runtime.deleteSnapshot(s.id()));
        }
    }

    /**
     * A step's overhead two ways, per step but the last: {@code inProcess}, from the complete answer
     * handed to the loop to the next request handed to the client; {@code wire}, from the server
     * having sent the answer to the next request arriving (adds the HTTP client's and the server's
     * share). The tool's own run time is taken out of both.
     */
    record Gaps(long[] inProcess, long[] wire) {
    }

    /** One turn of {@code steps} model calls on the engine. */
    private static Gaps engineTurn(Path state, String remote, WireFormat format, int steps) throws Exception {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            for (int i = 0; i < steps - 1; i++) {
                server.enqueue(Reply.toolCall("read_file", "{\"path\":\"src/file" + (i % 10) + ".txt\"}"));
            }
            server.enqueue(Reply.text("Read them all."));
            TimedStreamingModel timed = new TimedStreamingModel(Models.builder().environment(server.environment()).build()
                    .streamingChatModel(server.modelName(format)));
            ModelDriver driver = ModelDriver.builder()
                    .streamingChatModel(timed).modelName(server.modelName(format))
                    .maxSteps(steps + 10)
                    .contextWindow(10_000_000)
                    .build();
            List<AgentEvent> events = java.util.Collections.synchronizedList(new ArrayList<>());
            try (Nightshift ns = Nightshift.builder().stateDirectory(state).driver(driver).build()) {
                Agent agent = ns.spawn(AgentRequest.builder("Read every file under src/", remote).push(false)
                        .driver(ModelDriver.NAME).model(server.modelName(format)).build());
                agent.addListener(events::add, 0);
                AgentInfo done = agent.awaitStatus(Set.of(AgentStatus.FINISHED, AgentStatus.ERROR, AgentStatus.STOPPED, AgentStatus.CANCELLED, AgentStatus.EXPIRED), Duration.ofMinutes(20));
                if (!done.status().equals(AgentStatus.FINISHED)) {
                    throw new IllegalStateException("the turn ended " + done.status() + ": " + done.error().orElse(null));
                }
                agent.delete();
                ns.closeAndRemoveMachines();
            }
            deleteStoreImages(state);
            List<Exchange> exchanges = server.exchanges();
            if (exchanges.size() != steps) {
                throw new IllegalStateException("expected " + steps + " model calls, the server saw " + exchanges.size());
            }
            Map<String, Instant> started = new HashMap<>();
            List<Long> toolNanos = new ArrayList<>();
            synchronized (events) {
                for (AgentEvent e : events) {
                    if (e instanceof AgentEvent.ToolCallStarted s) {
                        started.put(s.callId(), s.time());
                    } else if (e instanceof AgentEvent.ToolCallFinished f) {
                        toolNanos.add(Duration.between(started.get(f.callId()), f.time()).toNanos());
                    }
                }
            }
            if (toolNanos.size() != steps - 1) {
                throw new IllegalStateException("expected " + (steps - 1) + " tool calls, saw " + toolNanos.size());
            }
            long[] inProcess = timed.gaps(steps);
            long[] wire = new long[steps - 1];
            for (int i = 0; i < steps - 1; i++) {
                long gap = exchanges.get(i + 1).receivedNanos() - exchanges.get(i).answeredNanos();
                wire[i] = Math.max(0, gap - toolNanos.get(i));
                inProcess[i] = Math.max(0, inProcess[i] - toolNanos.get(i));
            }
            return new Gaps(inProcess, wire);
        }
    }

    /** The same script driven by a loop that only calls langchain4j: its gaps are the client's own cost. */
    private static Gaps bareLoop(WireFormat format, int steps) throws Exception {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            for (int i = 0; i < steps - 1; i++) {
                server.enqueue(Reply.toolCall("read_file", "{\"path\":\"src/file" + (i % 10) + ".txt\"}"));
            }
            server.enqueue(Reply.text("Read them all."));
            TimedStreamingModel model = new TimedStreamingModel(Models.builder().environment(server.environment()).build()
                    .streamingChatModel(server.modelName(format)));
            ToolSpecification readFile = ToolSpecification.builder().name("read_file").description("Read a file")
                    .parameters(JsonObjectSchema.builder().addStringProperty("path").required("path").build()).build();
            List<ChatMessage> messages = new ArrayList<>(List.of(SystemMessage.from("You are a coding agent."),
                    UserMessage.from("Read every file under src/")));
            for (int i = 0; i < steps; i++) {
                CompletableFuture<ChatResponse> done = new CompletableFuture<>();
                model.chat(ChatRequest.builder().messages(messages).toolSpecifications(readFile).build(),
                        new StreamingChatResponseHandler() {
                            @Override
                            public void onPartialResponse(String text) {
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
                AiMessage ai = done.get(1, TimeUnit.MINUTES).aiMessage();
                messages.add(ai);
                if (ai.hasToolExecutionRequests()) {
                    messages.add(ToolExecutionResultMessage.from(ai.toolExecutionRequests().get(0), "line 1\nline 2\n"));
                }
            }
            List<Exchange> exchanges = server.exchanges();
            long[] gaps = new long[steps - 1];
            for (int i = 0; i < steps - 1; i++) {
                gaps[i] = exchanges.get(i + 1).receivedNanos() - exchanges.get(i).answeredNanos();
            }
            return new Gaps(model.gaps(steps), gaps);
        }
    }

    /** {bytes of heap per conversation, bytes of its text}, both forms held, over {@code n} conversations. */
    private static long[] conversationHeap(int n) {
        System.gc();
        long before = usedHeap();
        List<Object> held = new ArrayList<>();
        long text = 0;
        for (int c = 0; c < n; c++) {
            List<ConversationMessage> stored = new ArrayList<>();
            List<ChatMessage> sent = new ArrayList<>();
            Instant t = Instant.parse("2026-12-01T00:00:00Z");
            for (int i = 0; i < 500; i++) {
                String callId = "call_" + c + "_" + i;
                String args = "{\"path\":\"src/module" + i + "/file" + c + ".ts\",\"offset\":1,\"limit\":200}";
                String thought = "Step " + i + ": looking at the next module to see where the failing test comes from. "
                        .repeat(2);
                String result = ("export function f" + i + "(x: number): number { return x * " + i + "; }\n").repeat(30);
                stored.add(ConversationMessage.assistant("m" + (2 * i), thought,
                        List.of(new ConversationMessage.ToolCall(callId, "read_file", args)), t.plusSeconds(i)));
                stored.add(ConversationMessage.toolResult("m" + (2 * i + 1), callId, "read_file", result, false, t.plusSeconds(i)));
                AiMessage ai = AiMessage.from(thought, List.of(dev.langchain4j.agent.tool.ToolExecutionRequest.builder()
                        .id(callId).name("read_file").arguments(args).build()));
                sent.add(ai);
                sent.add(ToolExecutionResultMessage.from(callId, "read_file", result));
                text += thought.length() + args.length() + result.length();
            }
            held.add(stored);
            held.add(sent);
        }
        System.gc();
        long after = usedHeap();
        if (held.size() != 2 * n) {
            throw new IllegalStateException();
        }
        return new long[] {(after - before) / n, text / n};
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static long median(long[] values) {
        return percentile(values, 50);
    }

    private static long percentile(long[] values, int p) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    /** A bare remote with ten small files under src/. */
    private static String remote(Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path bare = dir.resolve("remote.git");
        git(dir, "init", "-q", "--bare", "-b", "main", bare.toString());
        git(work, "init", "-q", "-b", "main");
        Files.createDirectories(work.resolve("src"));
        for (int i = 0; i < 10; i++) {
            Files.writeString(work.resolve("src/file" + i + ".txt"), ("line of file " + i + "\n").repeat(40));
        }
        git(work, "add", "-A");
        git(work, "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m", "bench");
        git(work, "push", "-q", bare.toString(), "main");
        return bare.toUri().toString();
    }

    private static void git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("git " + String.join(" ", args) + ": " + out);
        }
    }

    private static void deleteTree(Path dir) {
        FileTrees.deleteQuietly(dir);
    }
}
