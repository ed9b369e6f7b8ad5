package dev.nightshift.docker;

import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run by {@link DockerBigOutputIT} in a JVM with a small heap: streams {@code args[1]} bytes of
 * output through the SDK (exec servers on unless {@code args[2]} is {@code false}) and prints how
 * many arrived at the listener and in the result.
 */
public final class BigOutputMain {
    private BigOutputMain() {
    }

    public static void main(String[] args) {
        String runId = args[0];
        long bytes = Long.parseLong(args[1]);
        boolean servers = args.length < 3 || Boolean.parseBoolean(args[2]);
        AtomicLong seen = new AtomicLong();
        try (DockerRuntime runtime = DockerRuntime.builder().execServers(servers).build();
                Machine m = runtime.start(MachineSpec.builder(runtime.baseImage()).user("ubuntu")
                        .label(DockerTests.RUN_LABEL, runId).build())) {
            ExecResult r = m.exec(ExecRequest.builder("head", "-c", Long.toString(bytes), "/dev/urandom")
                    .listener(new ExecListener() {
                        @Override
                        public void onStdout(byte[] b, int off, int len) {
                            seen.addAndGet(len);
                        }
                    }).build()).await(Duration.ofMinutes(5));
            System.out.println("machine " + m.id());
            ExecHandle probe = m.exec(ExecRequest.of("true"));
            probe.await(Duration.ofMinutes(1));
            System.out.println("viaServer " + DockerTests.viaServer(probe));
            System.out.println("bytes " + seen.get() + " " + r.stdoutBytes() + " exit " + r.exitCode()
                    + " maxHeap " + Runtime.getRuntime().maxMemory());
        }
    }
}
