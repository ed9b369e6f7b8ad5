package dev.nightshift.benchmarks;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A streaming model that notes, in process, when each request is handed to the client
 * ({@link #sent}) and when each complete answer is handed back ({@link #answered}); everything
 * else goes to the real model. The time from one answer to the next request, less the tool's own
 * run, is the orchestration overhead of a step without the HTTP client's and the server's share.
 */
final class TimedStreamingModel implements StreamingChatModel {
    private final StreamingChatModel real;
    final List<Long> sent = new CopyOnWriteArrayList<>();
    final List<Long> answered = new CopyOnWriteArrayList<>();

    TimedStreamingModel(StreamingChatModel real) {
        this.real = real;
    }

    /** Per step but the last: next request handed over minus answer handed back, in nanoseconds. */
    long[] gaps(int steps) {
        if (sent.size() != steps || answered.size() != steps) {
            throw new IllegalStateException("expected " + steps + " calls, saw " + sent.size() + " sent and "
                    + answered.size() + " answered");
        }
        long[] g = new long[steps - 1];
        for (int i = 0; i < steps - 1; i++) {
            g[i] = sent.get(i + 1) - answered.get(i);
        }
        return g;
    }

    @Override
    public void chat(ChatRequest request, StreamingChatResponseHandler handler) {
        sent.add(System.nanoTime());
        real.chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String text) {
                handler.onPartialResponse(text);
            }

            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                handler.onPartialResponse(partial, context);
            }

            @Override
            public void onPartialThinking(PartialThinking thinking) {
                handler.onPartialThinking(thinking);
            }

            @Override
            public void onPartialThinking(PartialThinking thinking, PartialThinkingContext context) {
                handler.onPartialThinking(thinking, context);
            }

            @Override
            public void onPartialToolCall(PartialToolCall call) {
                handler.onPartialToolCall(call);
            }

            @Override
            public void onPartialToolCall(PartialToolCall call, PartialToolCallContext context) {
                handler.onPartialToolCall(call, context);
            }

            @Override
            public void onCompleteToolCall(CompleteToolCall call) {
                handler.onCompleteToolCall(call);
            }

            @Override
            public void onUnmappedRawEvent(Object event) {
                handler.onUnmappedRawEvent(event);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                answered.add(System.nanoTime());
                handler.onCompleteResponse(response);
            }

            @Override
            public void onError(Throwable error) {
                handler.onError(error);
            }
        });
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return real.defaultRequestParameters();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return real.listeners();
    }

    @Override
    public ModelProvider provider() {
        return real.provider();
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return real.supportedCapabilities();
    }
}
