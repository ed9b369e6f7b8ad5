package dev.nightshift.docker;

import dev.nightshift.api.runtime.MachineRuntime;

/** The runtime contract with exec servers off (every exec on the engine's per-exec path). */
class DockerRuntimePerExecConformanceIT extends DockerRuntimeConformanceIT {
    @Override
    protected MachineRuntime runtime() {
        return DockerTests.perExecRuntime();
    }
}
