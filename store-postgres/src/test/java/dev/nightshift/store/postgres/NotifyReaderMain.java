package dev.nightshift.store.postgres;

import dev.nightshift.api.AgentEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The reader process of {@code PostgresAgentStoreTest}: opens its own store on the database,
 * starts waiting for events of an agent after a sequence, prints {@code READY} once the waiting
 * thread is parked on the notification (so an event found later came through NOTIFY, not from
 * the first read), then prints {@code GOT <sequences> <milliseconds after READY>} or
 * {@code NOTHING} when its wait of 60 s passed.
 *
 * <p>Arguments: JDBC URL, user, agent id, after-sequence. The password comes on stdin (never on
 * a command line other processes can read).
 */
public final class NotifyReaderMain {
    private NotifyReaderMain() {
    }

    public static void main(String[] args) throws Exception {
        String password = new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
        try (PostgresAgentStore store = PostgresAgentStore.builder(args[0]).user(args[1]).password(password)
                .maxPoolSize(2).open()) {
            String agent = args[2];
            long after = Long.parseLong(args[3]);
            store.events(agent, 0, 100); // warm up (class loading, JSON mapping) so the latency printed is the wait's
            AtomicReference<List<AgentEvent>> got = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    got.set(store.awaitEvents(agent, after, 100, Duration.ofSeconds(60)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.start();
            PostgresAgentStoreTest.awaitParked(waiter);
            long ready = System.nanoTime();
            System.out.println("READY");
            System.out.flush();
            waiter.join();
            List<AgentEvent> events = got.get();
            if (events == null || events.isEmpty()) {
                System.out.println("NOTHING");
            } else {
                System.out.println("GOT " + events.stream().map(e -> Long.toString(e.sequence())).toList()
                        + " " + (System.nanoTime() - ready) / 1_000_000);
            }
        }
    }
}
