package dev.nightshift.core;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentRequest;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The engine in a JVM of its own, for {@link CrashSafetyIT}: spawns one agent whose turn prints a
 * marker and then sleeps, prints {@code MID-TURN <agentId> <sequence>} once the marker's event is
 * recorded, and waits to be killed.
 */
public final class CrashChild {
    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        String remote = args[1];
        String agentId = args[2];
        Nightshift ns = Nightshift.builder().runtime(TestRuntime.docker()).stateDirectory(state).build();
        Agent a = ns.spawn(AgentRequest.builder("echo before > before.txt\necho MID-TURN-MARKER\nsleep 600", remote)
                .id(agentId).build());
        CountDownLatch mid = new CountDownLatch(1);
        long[] seq = new long[1];
        a.addListener(e -> {
            if (e instanceof AgentEvent.CommandOutput o && o.line().contains("MID-TURN-MARKER")) {
                seq[0] = e.sequence();
                mid.countDown();
            }
        }, 0);
        mid.await();
        System.out.println("MID-TURN " + a.id() + " " + seq[0]);
        System.out.flush();
        new CountDownLatch(1).await(); // until SIGKILL
    }
}
