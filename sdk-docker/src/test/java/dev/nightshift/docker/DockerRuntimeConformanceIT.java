package dev.nightshift.docker;

import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.runtime.RuntimeConformanceTest;

/** The Docker runtime passes the runtime contract. */
class DockerRuntimeConformanceIT extends RuntimeConformanceTest {
    @Override
    protected MachineRuntime runtime() {
        return DockerTests.runtime();
    }

    @Override
    protected MachineSpec.Builder spec() {
        return DockerTests.spec();
    }

    @Override
    protected dev.nightshift.api.runtime.Machine start(MachineSpec.Builder spec) {
        return DockerTests.track(super.start(spec));
    }
}
