package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.TakeOver;
import dev.nightshift.api.runtime.TerminalInfo;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Take-over lands in a shell, attached for real: the attach command runs under a pseudo-terminal,
 * a command is typed into it, and what it wrote is read back from the workspace. With no
 * terminals, with two (one of them a loop that would swallow typed keys), after an engine restart
 * and after a hibernation and restore.
 */
class TakeOverAttachIT extends DockerEngineTest {
    static final Duration WAIT = AgentEngineIT.WAIT;

    static Map<String, String> project(String marker, String terminals) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("README.md", "# " + marker + "\n");
        f.put(".cursor/environment.json", "{ \"install\": \"echo install-ok\"" + terminals + " }\n");
        return f;
    }

    Nightshift.Builder engine(Limits limits) {
        return Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state"))
                .limits(limits.withInstallTimeout(Duration.ofSeconds(60)).withTurnTimeout(Duration.ofSeconds(90)));
    }

    static AgentInfo finished(Agent a) {
        AgentInfo done = a.awaitStatus(AgentStatus.FINISHED, WAIT);
        assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
        return done;
    }

    @Test
    void withoutTerminalsTheAttachCommandLandsInAShellInTheWorkspace() throws Exception {
        TestRemote remote = TestRemote.create(dir, project("no-terminals-" + System.nanoTime(), ""));
        try (Nightshift ns = engine(Limits.DEFAULT).build()) {
            Agent a = ns.spawn(AgentRequest.builder("echo hi > hi.txt", remote.url()).push(false).build());
            finished(a);
            TakeOver t = a.takeOver("alice");
            assertThat(t.terminals()).as("no terminals in environment.json").isEmpty();
            assertThat(t.attach().window()).isEqualTo("alice");
            String typed = PtyAttach.typeAndReadBack(t.attach(), t.session().machine(), "/workspace/typed.txt");
            assertThat(typed).as("a login shell as the environment's user, in the workspace, in the person's window")
                    .isEqualTo("ubuntu /workspace alice");
            a.handBack();
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void withTwoTerminalsAfterARestartAndAfterHibernationTheAttachCommandLandsInTheShell() throws Exception {
        TestRemote remote = TestRemote.create(dir, project("two-terminals-" + System.nanoTime(), ",\n"
                + "  \"terminals\": [ { \"name\": \"loop\", \"command\": \"while :; do date; sleep 5; done\" },\n"
                + "                   { \"name\": \"logs\", \"command\": \"tail -f /dev/null\" } ]"));
        Limits keepAwake = Limits.DEFAULT.withIdleHibernateAfter(Duration.ofDays(1));
        String id;
        try (Nightshift ns = engine(keepAwake).build()) {
            Agent a = ns.spawn(AgentRequest.builder("echo hi > hi.txt", remote.url()).push(false).build());
            id = a.id();
            finished(a);
            TakeOver t = a.takeOver("bob");
            assertThat(t.terminals()).as("the terminals are the other windows, listed")
                    .extracting(TerminalInfo::name).containsExactly("loop", "logs");
            assertThat(t.terminals()).allMatch(TerminalInfo::running);
            assertThat(PtyAttach.typeAndReadBack(t.attach(), t.session().machine(), "/workspace/typed-1.txt"))
                    .as("typed into bob's shell, not into the loop of the first terminal")
                    .isEqualTo("ubuntu /workspace bob");
            TakeOver again = a.takeOver("bob");
            assertThat(again.session().machine().terminals().list()).as("taking over again reuses bob's window")
                    .extracting(TerminalInfo::name).containsExactly("loop", "logs");
            a.handBack();
        } // the engine stops; the machine stays for the next one

        try (Nightshift ns = engine(keepAwake).build()) {
            Agent a = ns.agent(id);
            TakeOver t = a.takeOver("bob");
            assertThat(PtyAttach.typeAndReadBack(t.attach(), t.session().machine(), "/workspace/typed-2.txt"))
                    .as("after an engine restart").isEqualTo("ubuntu /workspace bob");
            a.handBack();
        }

        Limits sleepy = Limits.DEFAULT.withIdleHibernateAfter(Duration.ofSeconds(1));
        try (Nightshift ns = engine(sleepy).sweepInterval(Duration.ofMillis(200)).build()) {
            Agent a = ns.agent(id);
            AtomicReference<AgentEvent.MachineChanged> seen = new AtomicReference<>();
            CountDownLatch hibernated = AgentLifecycleIT.onMachineChange(a, "hibernated", seen);
            assertThat(AgentEngineIT.await(hibernated)).as("the idle machine hibernates").isTrue();
            assertThat(runtime.attach(seen.get().machineId())).isEmpty();

            TakeOver t = a.takeOver("bob");
            assertThat(t.session().machine().id()).as("restored on a new machine").isNotEqualTo(seen.get().machineId());
            assertThat(t.terminals()).extracting(TerminalInfo::name).containsExactly("loop", "logs");
            assertThat(PtyAttach.typeAndReadBack(t.attach(), t.session().machine(), "/workspace/typed-3.txt"))
                    .as("after hibernation and restore").isEqualTo("ubuntu /workspace bob");
            assertThat(AgentLifecycleIT.exec(t.session(), "cat typed-1.txt typed-2.txt hi.txt"))
                    .as("the workspace survived the restart and the hibernation")
                    .isEqualTo("ubuntu /workspace bob\nubuntu /workspace bob\nhi");
            a.handBack();
            ns.closeAndRemoveMachines();
        }
    }
}
