package dev.nightshift.model.internal;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.nightshift.api.AgentContext;
import dev.nightshift.api.Registration;
import dev.nightshift.common.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One model call that stop, cancel and take-over can abort. A blocking {@link ChatModel} call runs on
 * a pooled {@code nightshift-model-call-*} daemon thread, which an interrupt hook interrupts
 * (langchain4j's JDK client then aborts the request); a streamed call is abandoned by the hook and
 * cancelled from its next callback (the only place langchain4j lets a stream be cancelled), and a
 * stream that sends nothing for {@code idleTimeout} fails with {@link StreamIdleException}.
 */
public final class ModelCaller {
    private static final ExecutorService POOL = Executors.newCachedThreadPool(DaemonThreads.numbered("nightshift-model-call-"));

    private ModelCaller() {
    }

    /** Calls {@code chat} (or, when given, {@code streaming}, with text deltas to {@code deltas}). */
    public static ChatResponse call(ChatModel chat, StreamingChatModel streaming, ChatRequest request,
            AgentContext context, Duration idleTimeout, Consumer<String> deltas) {
        if (streaming != null) {
            return stream(streaming, request, context, idleTimeout, deltas);
        }
        Future<ChatResponse> f = POOL.submit(() -> chat.chat(request));
        try (Registration r = context.onInterrupt(() -> f.cancel(true))) {
            return f.get();
        } catch (CancellationException e) {
            throw new CallInterruptedException();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new CallInterruptedException();
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException re) {
            return re;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new RuntimeException(cause);
    }

    private static ChatResponse stream(StreamingChatModel model, ChatRequest request, AgentContext context,
            Duration idleTimeout, Consumer<String> deltas) {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        AtomicBoolean abandoned = new AtomicBoolean();
        AtomicLong last = new AtomicLong(System.nanoTime());
        StreamingChatResponseHandler handler = new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext c) {
                last.set(System.nanoTime());
                if (abandoned.get()) {
                    c.streamingHandle().cancel();
                } else if (partial.text() != null && !partial.text().isEmpty()) {
                    deltas.accept(partial.text());
                }
            }

            @Override
            public void onPartialToolCall(PartialToolCall partial, PartialToolCallContext c) {
                last.set(System.nanoTime());
                if (abandoned.get()) {
                    c.streamingHandle().cancel();
                }
            }

            @Override
            public void onPartialThinking(PartialThinking thinking) {
                last.set(System.nanoTime());
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        };
        try (Registration r = context.onInterrupt(() -> {
            abandoned.set(true);
            done.completeExceptionally(new CallInterruptedException());
        })) {
            model.chat(request, handler);
            long slice = Math.max(10, Math.min(1000, idleTimeout.toMillis()));
            while (true) {
                try {
                    return done.get(slice, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (System.nanoTime() - last.get() > idleTimeout.toNanos()) {
                        abandoned.set(true);
                        throw new StreamIdleException("the model's stream sent nothing for " + idleTimeout.toMillis() + " ms");
                    }
                }
            }
        } catch (InterruptedException e) {
            abandoned.set(true);
            Thread.currentThread().interrupt();
            throw new CallInterruptedException();
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }
}
