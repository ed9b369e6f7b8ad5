package dev.nightshift.core.internal;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.Page;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.common.DaemonThreads;
import dev.nightshift.core.FileAgentStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * Runs every store call on threads that are never interrupted. Agent threads are interrupted to
 * stop a turn, and an interrupt during file I/O on an NIO channel closes the channel
 * ({@code ClosedByInterruptException}): an event or record would be lost. The caller waits
 * uninterruptibly; its interrupt status is left as it was.
 *
 * <p>{@link FileAgentStore} does its record, event and conversation I/O through java.io, which an
 * interrupt does not close: those calls run on the caller's thread (no hand-off to another thread
 * and back, which is most of a step's store cost on a busy machine). Its lease and slot calls,
 * which lock files through NIO, still go through the I/O threads.
 */
public final class UninterruptibleStore implements AgentStore {
    private final AgentStore delegate;
    private final ExecutorService io = new java.util.concurrent.ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.SynchronousQueue<>(), DaemonThreads.named("nightshift-store-io"));

    /** Whether the delegate's record, event and conversation calls are safe on an interruptible thread. */
    private final boolean inline;

    public UninterruptibleStore(AgentStore delegate) {
        this.delegate = delegate;
        this.inline = delegate instanceof FileAgentStore;
    }

    /** Runs a record, event or conversation call: on this thread when the delegate is interrupt-safe. */
    private <T> T data(Supplier<T> op) {
        return inline ? op.get() : call(op);
    }

    private void dataRun(Runnable op) {
        data(() -> {
            op.run();
            return null;
        });
    }

    private <T> T call(Supplier<T> op) {
        try {
            return CompletableFuture.supplyAsync(op, io).join(); // join() does not respond to interrupts
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private void run(Runnable op) {
        call(() -> {
            op.run();
            return null;
        });
    }

    @Override public void put(AgentInfo info) { dataRun(() -> delegate.put(info)); }
    @Override public Optional<AgentInfo> get(String agentId) { return data(() -> delegate.get(agentId)); }
    @Override public Page<AgentInfo> list(AgentQuery query) { return data(() -> delegate.list(query)); }
    @Override public void append(AgentEvent event) { dataRun(() -> delegate.append(event)); }
    @Override public long lastSequence(String agentId) { return data(() -> delegate.lastSequence(agentId)); }

    @Override
    public List<AgentEvent> events(String agentId, long afterSequence, int limit) {
        return data(() -> delegate.events(agentId, afterSequence, limit));
    }

    @Override
    public void appendMessage(String agentId, ConversationMessage message) {
        dataRun(() -> delegate.appendMessage(agentId, message));
    }

    @Override
    public List<ConversationMessage> conversation(String agentId) {
        return data(() -> delegate.conversation(agentId));
    }

    @Override public void delete(String agentId) { run(() -> delegate.delete(agentId)); }

    @Override
    public boolean acquireLease(String agentId, String owner, Duration ttl) {
        return call(() -> delegate.acquireLease(agentId, owner, ttl));
    }

    @Override
    public void releaseLease(String agentId, String owner) {
        run(() -> delegate.releaseLease(agentId, owner));
    }

    @Override
    public boolean acquireMachineSlot(String holder, String owner, int max, Duration ttl) {
        return call(() -> delegate.acquireMachineSlot(holder, owner, max, ttl));
    }

    @Override
    public void releaseMachineSlot(String holder, String owner) {
        run(() -> delegate.releaseMachineSlot(holder, owner));
    }

    @Override
    public int machineSlotsInUse() {
        return call(delegate::machineSlotsInUse);
    }

    @Override
    public boolean supportsControls() {
        return delegate.supportsControls();
    }

    @Override
    public void submitControl(dev.nightshift.api.spi.ControlCommand command) {
        run(() -> delegate.submitControl(command));
    }

    @Override
    public List<dev.nightshift.api.spi.ControlCommand> claimControls(java.util.Set<String> agentIds, Duration wait) {
        return call(() -> delegate.claimControls(agentIds, wait));
    }

    @Override
    public void completeControl(dev.nightshift.api.spi.ControlResult result) {
        run(() -> delegate.completeControl(result));
    }

    @Override
    public Optional<dev.nightshift.api.spi.ControlResult> awaitControlResult(String agentId, String commandId,
            Duration timeout) {
        return call(() -> delegate.awaitControlResult(agentId, commandId, timeout));
    }

    @Override
    public boolean withdrawControl(String agentId, String commandId) {
        return call(() -> delegate.withdrawControl(agentId, commandId));
    }

    @Override
    public int purgeControls(Instant sentBefore) {
        return call(() -> delegate.purgeControls(sentBefore));
    }

    /** Closes the delegate (when the engine owns it) and the I/O threads. */
    public void close(boolean closeDelegate) {
        if (closeDelegate) {
            run(delegate::close);
        }
        io.shutdown();
    }

    @Override
    public void close() {
        close(true);
    }
}
