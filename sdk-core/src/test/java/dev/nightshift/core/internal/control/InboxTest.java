package dev.nightshift.core.internal.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.common.DaemonThreads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The agent's inbox: arrival order, one drainer, outcomes back to the caller, reentrancy, bounded waits. */
class InboxTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final ExecutorService drainers = Executors.newCachedThreadPool(DaemonThreads.numbered("test-drainer-"));
    private final ExecutorService callers = Executors.newCachedThreadPool(DaemonThreads.numbered("test-caller-"));

    @AfterEach
    void close() {
        drainers.shutdownNow();
        callers.shutdownNow();
    }

    /** A command that waits at a gate before it is applied (a slow control holding the inbox). */
    record Gate(CountDownLatch entered, CountDownLatch open) {
    }

    private static Object holdAt(Object c) {
        if (c instanceof Gate g) {
            g.entered().countDown();
            try {
                if (!g.open().await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the gate was never opened");
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        return null;
    }

    @Test
    void commandsFromTwoThreadsAreAppliedInTheOrderTheyArrivedOneAtATime() throws Exception {
        List<Object> applied = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Inbox<Object> inbox = new Inbox<>("bc-test", drainers, WAIT, c -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                holdAt(c);
                applied.add(c);
                return null;
            } finally {
                running.decrementAndGet();
            }
        });
        Gate gate = new Gate(new CountDownLatch(1), new CountDownLatch(1));
        Future<?> first = callers.submit(() -> inbox.ask(gate));
        assertThat(gate.entered().await(30, TimeUnit.SECONDS)).as("the first command is being applied").isTrue();

        // while the first holds the inbox, thread A posts a follow-up, then thread B a stop
        Future<?> followUp = callers.submit(() -> inbox.ask("follow-up"));
        awaitQueued(inbox, 1);
        Future<?> stop = callers.submit(() -> inbox.ask("stop"));
        awaitQueued(inbox, 2);
        gate.open().countDown();
        first.get(30, TimeUnit.SECONDS);
        followUp.get(30, TimeUnit.SECONDS);
        stop.get(30, TimeUnit.SECONDS);

        assertThat(applied).as("arrival order: the stop after the follow-up, never lost").containsExactly(gate,
                "follow-up", "stop");
        assertThat(mostAtOnce.get()).as("never two drainers").isEqualTo(1);
    }

    @Test
    void manyCallersOnManyThreadsNeverOverlapAndEachGetsItsOwnResult() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Inbox<Integer> inbox = new Inbox<>("bc-test", drainers, WAIT, c -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            running.decrementAndGet();
            return c * 2;
        });
        List<Future<Object>> results = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = i;
            results.add(callers.submit(() -> inbox.ask(n)));
        }
        for (int i = 0; i < 200; i++) {
            assertThat(results.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i * 2);
        }
        assertThat(mostAtOnce.get()).as("never two drainers").isEqualTo(1);
    }

    @Test
    void aCommandsExceptionReachesItsCallerUnchanged() {
        ConflictException refused = new ConflictException("agent bc-test is CANCELLED: it takes no follow-up");
        IllegalArgumentException bad = new IllegalArgumentException("follow-up prompt must not be blank");
        Inbox<String> inbox = new Inbox<>("bc-test", drainers, WAIT, c -> {
            throw c.equals("conflict") ? refused : bad;
        });
        assertThatThrownBy(() -> inbox.ask("conflict")).isSameAs(refused);
        assertThatThrownBy(() -> inbox.ask("bad")).isSameAs(bad);
        // a control (no exception) after two failures is still applied: the drainer lives on
        Inbox<String> echo = new Inbox<>("bc-test", drainers, WAIT, c -> c);
        assertThat(echo.ask("ok")).isEqualTo("ok");
    }

    @Test
    void aCommandAskedOnTheDrainerItselfRunsInlineInsteadOfWaitingForItself() {
        List<String> applied = new CopyOnWriteArrayList<>();
        Inbox<String>[] self = new Inbox[1];
        Function<String, Object> apply = c -> {
            applied.add(c + (self[0].onDrainer() ? "@drainer" : "@elsewhere"));
            if (c.equals("outer")) {
                return self[0].ask("inner"); // a step that asks another of its own inbox
            }
            return "inner-done";
        };
        self[0] = new Inbox<>("bc-test", drainers, Duration.ofSeconds(5), apply);
        assertThat(self[0].ask("outer")).as("no deadlock: the inner one ran inline").isEqualTo("inner-done");
        assertThat(applied).containsExactly("outer@drainer", "inner@drainer");
        assertThat(self[0].onDrainer()).as("the caller's thread is no drainer").isFalse();
    }

    @Test
    void aCommandThatWaitedPastTheBoundIsWithdrawnAndNeverApplied() throws Exception {
        List<Object> applied = new CopyOnWriteArrayList<>();
        CountDownLatch afterApplied = new CountDownLatch(1);
        Inbox<Object> inbox = new Inbox<>("bc-test", drainers, Duration.ofMillis(200), c -> {
            holdAt(c);
            applied.add(c);
            if (c.equals("after")) {
                afterApplied.countDown();
            }
            return null;
        });
        Gate gate = new Gate(new CountDownLatch(1), new CountDownLatch(1));
        Future<?> holder = callers.submit(() -> {
            try {
                inbox.ask(gate);
            } catch (NightshiftTimeoutException expected) {
                // the gate itself outlives the bound: it is still being applied
                assertThat(expected).hasMessageContaining("still being applied");
            }
        });
        assertThat(gate.entered().await(30, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> inbox.ask("late"))
                .isInstanceOf(NightshiftTimeoutException.class)
                .hasMessageContaining("String on agent bc-test waited PT0.2S (Timeouts.controlWait)")
                .hasMessageContaining("was not applied");
        gate.open().countDown();
        holder.get(30, TimeUnit.SECONDS);
        inbox.tell("after"); // not waited for: the 200 ms bound is for the late one alone
        assertThat(afterApplied.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(applied).as("the withdrawn command never ran").containsExactly(gate, "after");
    }

    @Test
    void anInterruptedCallerStillGetsItsOutcomeAndKeepsItsInterrupt() throws Exception {
        Gate gate = new Gate(new CountDownLatch(1), new CountDownLatch(1));
        Inbox<Object> inbox = new Inbox<>("bc-test", drainers, WAIT, c -> {
            holdAt(c);
            return "applied";
        });
        Thread caller = Thread.currentThread();
        Future<?> opener = callers.submit(() -> {
            gate.entered().await(30, TimeUnit.SECONDS);
            caller.interrupt(); // as a stop interrupts the loop's thread while that thread asks a control
            gate.open().countDown();
            return null;
        });
        try {
            assertThat(inbox.ask(gate)).isEqualTo("applied");
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
        } finally {
            Thread.interrupted();
        }
        opener.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aClosedExecutorLeavesTheCallerToApplyItsCommand() {
        drainers.shutdown();
        Inbox<String> inbox = new Inbox<>("bc-test", drainers, WAIT, c -> Thread.currentThread().getName());
        assertThat(inbox.ask("x")).isEqualTo(Thread.currentThread().getName());
    }

    @Test
    void aToldCommandIsAppliedWithoutWaiting() throws Exception {
        CountDownLatch applied = new CountDownLatch(1);
        Inbox<String> inbox = new Inbox<>("bc-test", drainers, WAIT, c -> {
            applied.countDown();
            throw new IllegalStateException("nobody waits for this one");
        });
        inbox.tell("timeout");
        assertThat(applied.await(30, TimeUnit.SECONDS)).isTrue();
    }

    /** Waits until {@code n} commands wait in the inbox behind the one being applied. */
    private static void awaitQueued(Inbox<?> inbox, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (inbox.waiting() < n) {
            assertThat(System.nanoTime()).as("%s commands queued in time", n).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
