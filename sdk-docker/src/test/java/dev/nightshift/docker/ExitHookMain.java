package dev.nightshift.docker;

import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;

/** Run by {@link DockerExitHookIT}: starts a machine, prints its id and exits without closing it. */
public final class ExitHookMain {
    private ExitHookMain() {
    }

    public static void main(String[] args) {
        DockerRuntime runtime = DockerRuntime.builder().build();
        Machine m = runtime.start(MachineSpec.builder(runtime.baseImage()).label(DockerTests.RUN_LABEL, args[0]).build());
        System.out.println("machine " + m.id());
        System.exit(0);
    }
}
