package dev.nightshift.docker;

import static dev.nightshift.docker.DockerTests.runtime;
import static dev.nightshift.docker.DockerTests.spec;
import static dev.nightshift.docker.DockerTests.track;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineInfo;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.MachineState;
import dev.nightshift.api.runtime.PortMapping;
import dev.nightshift.api.runtime.ResourceLimits;
import dev.nightshift.api.runtime.TerminalInfo;
import dev.nightshift.api.runtime.Terminals;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files, terminals, ports, labels, limits and privileges of a Docker machine. */
class DockerMachineIT {
    static Machine machine;

    @TempDir
    Path tmp;

    @BeforeAll
    static void up() {
        machine = track(runtime().start(spec().label(DockerRuntime.LABEL_AGENT, "agent-files").port(8080)
                .limits(new ResourceLimits(1.5, 512L << 20, 300)).build()));
    }

    @AfterAll
    static void down() {
        if (machine != null) {
            machine.close();
        }
    }

    private static ExecResult sh(String script) {
        return machine.exec(ExecRequest.bash(script).build()).await(Duration.ofSeconds(60));
    }

    @Test
    void writesAndReadsFilesOwnedByTheUser() {
        machine.writeFile("/workspace/deep/er/notes.txt", "hi there".getBytes(UTF_8));
        assertThat(new String(machine.readFile("/workspace/deep/er/notes.txt"), UTF_8)).isEqualTo("hi there");
        assertThat(sh("stat -c '%U %a' /workspace/deep/er/notes.txt /workspace/deep/er").stdoutTail())
                .isEqualTo("ubuntu 644\nubuntu 755\n");
        assertThatThrownBy(() -> machine.readFile("/workspace/missing.txt")).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("/workspace/missing.txt");
    }

    @Test
    void copiesTreesInAndOut() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src/sub"));
        Files.writeString(tmp.resolve("src/a.txt"), "A");
        Files.writeString(src.resolve("b.txt"), "B");
        Files.createSymbolicLink(tmp.resolve("src/link"), Path.of("sub/b.txt"));
        machine.copyIn(tmp.resolve("src"), "/workspace/tree");
        assertThat(sh("cd /workspace/tree && cat a.txt sub/b.txt link && stat -c %U sub/b.txt").stdoutTail())
                .isEqualTo("ABBubuntu\n");
        machine.copyOut("/workspace/tree", tmp.resolve("back"));
        assertThat(Files.readString(tmp.resolve("back/tree/sub/b.txt"))).isEqualTo("B");
        assertThat(Files.readString(tmp.resolve("back/tree/link"))).isEqualTo("B");
    }

    @Test
    void copyOutRefusesLinksThatLeaveTheTarget() {
        sh("mkdir -p /workspace/evil && echo ok > /workspace/evil/fine.txt && ln -sf /etc/passwd /workspace/evil/passwd");
        Path dest = tmp.resolve("evil-out");
        assertThatThrownBy(() -> machine.copyOut("/workspace/evil", dest)).isInstanceOf(NightshiftException.class)
                .hasMessageContaining("passwd").hasMessageContaining("outside");
        assertThat(dest.resolve("evil/passwd")).doesNotExist();
        sh("mkdir -p /workspace/evil2 && ln -sf ../../../../../../tmp /workspace/evil2/up");
        assertThatThrownBy(() -> machine.copyOut("/workspace/evil2", tmp.resolve("evil2-out")))
                .isInstanceOf(NightshiftException.class).hasMessageContaining("symbolic link");
    }

    @Test
    void publishesPortsOnLoopback() throws Exception {
        List<PortMapping> ports = machine.ports();
        assertThat(ports).hasSize(1);
        PortMapping p = ports.get(0);
        assertThat(p.machinePort()).isEqualTo(8080);
        assertThat(p.hostAddress()).isEqualTo("127.0.0.1");
        assertThat(p.hostPort()).isPositive();
        ExecHandle server = machine.exec(ExecRequest.builder("perl", "-MIO::Socket::INET", "-e",
                "$s=IO::Socket::INET->new(LocalPort=>8080,Listen=>5,ReuseAddr=>1) or die; print \"up\\n\";"
                        + " while($c=$s->accept){print $c \"hello from the machine\\n\"; close $c}").build());
        try {
            String line = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (line == null && System.nanoTime() < deadline) {
                try (Socket s = new Socket(p.hostAddress(), p.hostPort());
                        BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8))) {
                    s.setSoTimeout(5000);
                    line = r.readLine();
                } catch (IOException notYet) {
                    assertThat(server.result()).as("the server is still running").isNotDone();
                }
            }
            assertThat(line).isEqualTo("hello from the machine");
        } finally {
            server.cancel();
        }
    }

    @Test
    void labelsNameNightshiftTheOwnerAndTheAgent() {
        Map<String, String> l = machine.labels();
        assertThat(l).containsEntry("dev.nightshift.managed", "true").containsEntry("dev.nightshift.agent", "agent-files")
                .containsEntry("dev.nightshift.owner.pid", Long.toString(ProcessHandle.current().pid()))
                .containsKeys("dev.nightshift.owner.host", "dev.nightshift.owner.start");
        List<MachineInfo> found = runtime().machines(Map.of(DockerRuntime.LABEL_AGENT, "agent-files"));
        assertThat(found).extracting(MachineInfo::id).containsExactly(machine.id());
        assertThat(found.get(0).state()).isEqualTo(MachineState.RUNNING);
        assertThat(runtime().machines(Map.of(DockerRuntime.LABEL_AGENT, "nobody"))).isEmpty();
        Machine again = runtime().attach(machine.id()).orElseThrow();
        assertThat(again.user()).isEqualTo("ubuntu");
        assertThat(again.exec(ExecRequest.of("id", "-un")).await(Duration.ofSeconds(60)).stdoutTail()).isEqualTo("ubuntu\n");
        assertThat(runtime().attach("no-such-container-id")).isEmpty();
    }

    @Test
    void limitsApplyAndTheDefaultIsUnprivilegedWithSudo() throws Exception {
        InspectContainerResponse c = docker().inspectContainerCmd(machine.id()).exec();
        assertThat(c.getHostConfig().getMemory()).isEqualTo(512L << 20);
        assertThat(c.getHostConfig().getNanoCPUs()).isEqualTo(1_500_000_000L);
        assertThat(c.getHostConfig().getPidsLimit()).isEqualTo(300L);
        assertThat(c.getHostConfig().getPrivileged()).isFalse();
        assertThat(sh("sudo -n id -un").stdoutTail()).as("sudo works with Docker's default capabilities").isEqualTo("root\n");
        assertThat(sh("sudo -n ip link add dummy0 type dummy 2>&1 || sudo -n mount -t tmpfs none /mnt 2>&1; echo rc=$?")
                .stdoutTail()).as("an unprivileged machine cannot mount").doesNotEndWith("rc=0\n");
    }

    @Test
    void aSpecWithoutLimitsGetsTheRuntimesDefaultAndOneWithLimitsItsOwn() {
        ResourceLimits runtimeDefault = new ResourceLimits(0.75, 320L << 20, 210);
        try (DockerRuntime small = runtime().toBuilder().defaultLimits(runtimeDefault).build();
                Machine plain = track(small.start(spec().build()));
                Machine explicit = track(small.start(spec().limits(ResourceLimits.DEFAULT).build()))) {
            var host = docker().inspectContainerCmd(plain.id()).exec().getHostConfig();
            assertThat(List.of(host.getNanoCPUs(), host.getMemory(), host.getPidsLimit()))
                    .as("no limits in the spec: the runtime's defaultLimits")
                    .containsExactly(750_000_000L, 320L << 20, 210L);
            host = docker().inspectContainerCmd(explicit.id()).exec().getHostConfig();
            assertThat(List.of(host.getNanoCPUs(), host.getMemory(), host.getPidsLimit()))
                    .as("limits in the spec, even equal to ResourceLimits.DEFAULT: the spec's")
                    .containsExactly(2_000_000_000L, 4L << 30, 4096L);
        }
    }

    @Test
    void privilegedOnlyWhenTheRuntimeOptsIn() {
        assertThatThrownBy(() -> runtime().start(spec().privileged(true).build()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("allowPrivileged");
        assertThat(docker().inspectContainerCmd(machine.id()).exec().getHostConfig().getPrivileged())
                .as("a machine that did not ask is not privileged").isNotEqualTo(Boolean.TRUE);
        assertThat(hasSysAdminInBoundingSet(machine)).as("Docker's default capabilities lack CAP_SYS_ADMIN").isFalse();
        String mark = java.util.UUID.randomUUID().toString();
        java.util.concurrent.atomic.AtomicReference<Boolean> asked = new java.util.concurrent.atomic.AtomicReference<>();
        try (DockerRuntime opted = DockerRuntime.builder().allowPrivileged(true)
                .createContainerCmdModifier(c -> asked.set(c.getHostConfig().getPrivileged())).build()) {
            MachineSpec privileged = spec().privileged(true).label("dev.nightshift.test.privileged", mark).build();
            if (engineAllowsPrivileged()) {
                try (Machine m = track(opted.start(privileged))) {
                    assertThat(docker().inspectContainerCmd(m.id()).exec().getHostConfig().getPrivileged()).isTrue();
                    assertThat(hasSysAdminInBoundingSet(m)).as("a privileged machine has every capability").isTrue();
                }
            } else {
                // An engine that refuses --privileged (a rootless or sandboxed one, like some CI hosts):
                // the refusal is the engine's, said plainly, and the half-made container is gone.
                assertThatThrownBy(() -> track(opted.start(privileged))).isInstanceOf(NightshiftException.class)
                        .hasMessageContaining("could not start a machine from " + runtime().baseImage())
                        .hasMessageContaining("operation not permitted");
                assertThat(docker().listContainersCmd().withShowAll(true)
                        .withLabelFilter(Map.of("dev.nightshift.test.privileged", mark)).exec())
                        .as("no container is left after the refused start").isEmpty();
            }
            assertThat(asked.get()).as("the opted-in runtime asked the engine for --privileged").isTrue();
        }
    }

    /**
     * Whether this Docker engine runs a privileged container at all, asked of the engine directly
     * (docker-java, not Nightshift): the expected outcome above depends on it.
     */
    private static boolean engineAllowsPrivileged() {
        var docker = docker();
        String id = docker.createContainerCmd(runtime().baseImage()).withCmd("true").withLabels(DockerTests.runLabels())
                .withHostConfig(com.github.dockerjava.api.model.HostConfig.newHostConfig().withPrivileged(true))
                .exec().getId();
        try {
            docker.startContainerCmd(id).exec();
            return true;
        } catch (com.github.dockerjava.api.exception.DockerException e) {
            return false;
        } finally {
            docker.removeContainerCmd(id).withForce(true).exec();
        }
    }

    /** Whether CAP_SYS_ADMIN (bit 21) is in the machine's capability bounding set, as its kernel reports it. */
    private static boolean hasSysAdminInBoundingSet(Machine m) {
        String hex = m.exec(ExecRequest.bash("awk '/^CapBnd:/ {print $2}' /proc/self/status").build())
                .await(Duration.ofSeconds(60)).stdoutTail().strip();
        assertThat(hex).as("CapBnd of /proc/self/status").matches("[0-9a-f]{16}");
        return (Long.parseUnsignedLong(hex, 16) & (1L << 21)) != 0;
    }

    @Test
    void terminalsAreTmuxWindowsOfTheUser() {
        Terminals t = machine.terminals();
        assertThat(t.list()).isEmpty();
        TerminalInfo shell = t.start("shell", "bash", "/workspace", Map.of("GREETING", "hola"));
        assertThat(shell.running()).isTrue();
        t.start("done", "echo finished-at-once", null, Map.of());
        assertThatThrownBy(() -> t.start("shell", "bash", null, Map.of())).isInstanceOf(ConflictException.class);
        t.sendKeys("shell", "echo \"$GREETING from $(id -un)\"\n");
        waitFor(() -> t.read("shell", 20).contains("hola from ubuntu"), "the echo to show in the shell window");
        waitFor(() -> t.list().stream().anyMatch(i -> i.name().equals("done") && !i.running()), "'done' to end");
        // tmux can mark a pane dead a moment before it has drawn the last of its output: wait for it
        waitFor(() -> t.read("done", 5).contains("finished-at-once"), "the ended window's output");
        assertThat(t.read("done", 5)).contains("finished-at-once");
        assertThat(t.list()).extracting(TerminalInfo::name).containsExactly("shell", "done");
        assertThatThrownBy(() -> t.sendKeys("nope", "x")).isInstanceOf(NotFoundException.class);
        assertThat(t.attachCommand()).containsSubsequence("exec", "-it", "-u", "ubuntu", machine.id(), "tmux", "attach",
                "-t", t.sessionName());
        assertThat(sh("ps -eo user=,comm= | awk '$2 ~ /^tmux/ {print $1}' | sort -u").stdoutTail().strip()).isEqualTo("ubuntu");
        t.stop("done");
        t.stop("shell");
        t.stop("never-existed");
        assertThat(t.list()).isEmpty();
    }

    @Test
    void ensureSessionOpensTheShellOnceAndLeavesAnExistingSessionAsItIs() {
        Terminals t = machine.terminals();
        // a session whose first window is a terminal that happens to carry the shell window's name
        t.start(Terminals.SHELL_WINDOW, "sleep 600", null, Map.of());
        t.ensureSession("/workspace"); // already there: nothing opened, nothing re-marked
        assertThat(t.list()).extracting(TerminalInfo::name).containsExactly(Terminals.SHELL_WINDOW);
        assertThatThrownBy(() -> t.openShell(Terminals.SHELL_WINDOW, null)).isInstanceOf(ConflictException.class);
        t.stop(Terminals.SHELL_WINDOW);

        t.ensureSession("/workspace"); // no session: one with the shell window, which is no terminal
        t.ensureSession("/workspace");
        assertThat(t.list()).isEmpty();
        assertThat(sh("tmux list-windows -t =nightshift -F '#{window_name} #{@nightshift-shell} #{pane_current_path}'")
                .stdoutTail().strip()).isEqualTo(Terminals.SHELL_WINDOW + " 1 /workspace");
        TerminalInfo dev = t.start("dev", "sleep 600", null, Map.of());
        assertThat(dev.running()).isTrue();
        assertThat(t.list()).extracting(TerminalInfo::name).containsExactly("dev");
        t.stop("dev");
        t.stop(Terminals.SHELL_WINDOW);
        assertThat(t.list()).isEmpty();
    }

    private static void waitFor(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 30 s waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    static com.github.dockerjava.api.DockerClient docker() {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        var http = new com.github.dockerjava.httpclient5.ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).build();
        return com.github.dockerjava.core.DockerClientImpl.getInstance(config, http);
    }
}
