package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.Runtime;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a crashed engine leaves behind is swept by the next engine on the same state directory,
 * and only that: machines of another state directory's agents on the same Docker engine stay.
 */
class GcIT {
    @TempDir
    Path dir;

    @Test
    void aNewEngineRemovesItsStoresOrphanedMachinesAndNoOneElses() {
        Runtime runtime = TestRuntime.docker();
        Path state = dir.resolve("state");
        Path other = dir.resolve("other");
        String mine = Nightshift.builder().runtime(runtime).stateDirectory(state).storeIdForTests();
        String theirs = Nightshift.builder().runtime(runtime).stateDirectory(other).storeIdForTests();
        assertThat(mine).isNotEqualTo(theirs);
        Machine orphan = runtime.start(MachineSpec.builder(TestRuntime.BASE_IMAGE).label("dev.nightshift.agent", "gone-1")
                .label("dev.nightshift.store", mine).build());
        Machine foreign = runtime.start(MachineSpec.builder(TestRuntime.BASE_IMAGE).label("dev.nightshift.agent", "gone-2")
                .label("dev.nightshift.store", theirs).build());
        try {
            try (Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(state).build()) {
                assertThat(runtime.attach(orphan.id())).as("this store's machine of an unknown agent is removed").isEmpty();
                assertThat(runtime.attach(foreign.id())).as("another store's machine is left alone").isPresent();
                assertThat(ns.gc().machinesRemoved()).isZero();
            }
        } finally {
            foreign.close();
            orphan.close();
            runtime.close();
        }
    }
}
