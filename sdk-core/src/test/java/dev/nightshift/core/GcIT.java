package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.runtime.ImageInfo;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.core.internal.ImageGc;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a crashed engine leaves behind is swept by the next engine on the same state directory,
 * and only that: machines of another state directory's agents on the same Docker engine stay.
 * Images carry their store: {@code gc} and the periodic sweep (after its grace period) remove
 * those of a store that no longer exists and those of their own store that nothing references,
 * and keep the rest.
 */
class GcIT {
    @TempDir
    Path dir;

    @Test
    void aNewEngineRemovesItsStoresOrphanedMachinesAndNoOneElses() {
        MachineRuntime runtime = TestRuntime.docker();
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

    static final Duration WAIT = Duration.ofMinutes(2);

    /** A repository whose environment is a tiny Dockerfile build (a COPY from the context). */
    static Map<String, String> dockerfileProject() {
        return Map.of(".cursor/environment.json", "{ \"build\": { \"dockerfile\": \"Dockerfile\" }, \"user\": \"ubuntu\" }\n",
                ".cursor/Dockerfile", "FROM " + TestRuntime.BASE_IMAGE + "\nCOPY marker.txt /opt/marker\n",
                ".cursor/marker.txt", "gc-" + System.nanoTime() + "\n");
    }

    /** Labels of a store in {@code state} on this host, as an engine puts them on its images. */
    static Map<String, String> storeLabels(String storeId, Path state) throws IOException {
        return Map.of(ImageGc.LABEL_STORE, storeId, ImageGc.LABEL_STORE_PATH, state.toAbsolutePath().normalize().toString(),
                ImageGc.LABEL_STORE_HOST, InetAddress.getLocalHost().getHostName());
    }

    static Map<String, String> with(Map<String, String> a, String... kv) {
        Map<String, String> m = new HashMap<>(a);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static boolean exists(MachineRuntime runtime, SnapshotInfo s) {
        return runtime.findSnapshot(s.id()).isPresent();
    }

    static boolean imageExists(MachineRuntime runtime, String imageId) {
        return runtime.images(Map.of()).stream().map(ImageInfo::id).anyMatch(imageId::equals);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as("within %s: %s", WAIT, what).isTrue();
            Thread.sleep(100); // polling the engine's state, not a synchronisation
        }
    }

    @Test
    void gcRemovesImagesOfAStoreThatIsGoneAndWhatItsOwnStoreNoLongerReferencesAndKeepsTheRest() throws Exception {
        MachineRuntime runtime = TestRuntime.docker();
        Path gone = dir.resolve("gone");
        Path live = dir.resolve("live");
        Path other = dir.resolve("other");
        Files.createDirectories(other); // a store in use by someone else
        TestRemote remote = TestRemote.create(dir.resolve("remote"), dockerfileProject());
        Machine source = null;
        try {
            // a store that goes away: its engine builds an environment (a Dockerfile build and a snapshot on it)
            SnapshotInfo goneEnv;
            try (Nightshift a = Nightshift.builder().runtime(runtime).stateDirectory(gone).build()) {
                goneEnv = a.environment(remote.url(), null).prepare(WAIT);
            }
            String goneStore = goneEnv.labels().get(ImageGc.LABEL_STORE);
            assertThat(goneStore).as("the environment snapshot names its store").isNotNull();
            // (the classic builder adds the labels one layer each: the image with all of them is the build)
            List<ImageInfo> goneBuilds = runtime.images(Map.of(ImageGc.LABEL_STORE, goneStore,
                    "dev.nightshift.snapshot.kind", "build", ImageGc.LABEL_STORE_PATH, gone.toAbsolutePath().toString()));
            assertThat(goneBuilds).as("the Dockerfile build carries its store").hasSize(1);

            // the live store: snapshots made the way its engine makes them, from one plain machine
            String liveId = Nightshift.builder().runtime(runtime).stateDirectory(live).storeIdForTests();
            Map<String, String> liveLabels = storeLabels(liveId, live);
            String repo = remote.url();
            source = runtime.start(MachineSpec.builder(TestRuntime.BASE_IMAGE).build());
            SnapshotInfo oldest = source.snapshot(with(liveLabels, "dev.nightshift.snapshot.kind", "environment",
                    "dev.nightshift.env.repository", repo, "dev.nightshift.env.key", "old-1"));
            SnapshotInfo older = source.snapshot(with(liveLabels, "dev.nightshift.snapshot.kind", "promoted",
                    "dev.nightshift.env.repository", repo, "dev.nightshift.env.key", "old-2"));
            SnapshotInfo referenced = source.snapshot(with(liveLabels, "dev.nightshift.snapshot.kind", "hibernation",
                    "dev.nightshift.agent", "bc-kept"));
            SnapshotInfo orphan = source.snapshot(with(liveLabels, "dev.nightshift.snapshot.kind", "hibernation",
                    "dev.nightshift.agent", "bc-deleted"));
            SnapshotInfo foreign = source.snapshot(with(storeLabels("other-store-id", other),
                    "dev.nightshift.snapshot.kind", "environment", "dev.nightshift.env.repository", repo));
            FileAgentStore store = FileAgentStore.open(live);
            Instant now = Instant.now();
            store.put(AgentInfo.creating("bc-kept", AgentRequest.builder("true", repo).id("bc-kept").build(), now)
                    .withStatus(AgentStatus.FINISHED, now));
            store.close();

            try (Nightshift b = Nightshift.builder().runtime(runtime).stateDirectory(live).environmentSnapshotsKept(2).build()) {
                SnapshotInfo newest = b.environment(remote.url(), null).prepare(WAIT);
                assertThat(newest.labels()).as("an environment snapshot names its store, its folder and host")
                        .containsEntry(ImageGc.LABEL_STORE, liveId)
                        .containsEntry(ImageGc.LABEL_STORE_PATH, live.toAbsolutePath().normalize().toString());
                assertThat(newest.id()).as("another store's environment is not this store's cache").isNotEqualTo(goneEnv.id());
                deleteTree(gone); // the store that made goneEnv no longer exists
                assertThat(exists(runtime, goneEnv)).as("nothing removed before gc").isTrue();

                Nightshift.GcReport r = b.gc();

                assertThat(exists(runtime, goneEnv)).as("the snapshot of a store that is gone").isFalse();
                assertThat(imageExists(runtime, goneBuilds.get(0).id())).as("the Dockerfile build of a store that is gone")
                        .isFalse();
                assertThat(exists(runtime, oldest)).as("an environment snapshot beyond the 2 kept").isFalse();
                assertThat(exists(runtime, orphan)).as("the snapshot of a deleted agent").isFalse();
                assertThat(exists(runtime, newest)).as("the environment snapshot in force").isTrue();
                assertThat(exists(runtime, older)).as("the second newest of the environment, within the 2 kept").isTrue();
                assertThat(exists(runtime, referenced)).as("the snapshot of an agent that exists").isTrue();
                assertThat(exists(runtime, foreign)).as("a snapshot of another store that exists").isTrue();
                assertThat(r.snapshotsRemoved()).isEqualTo(3);
                assertThat(b.gc().snapshotsRemoved()).as("a second gc finds nothing").isZero();
            }
        } finally {
            if (source != null) {
                source.close();
            }
            TestImages.removeUnder(runtime, dir);
            assertThat(TestImages.under(runtime, dir)).as("left behind").isEmpty();
            runtime.close();
        }
    }

    @Test
    void theSweepRemovesImagesOfAGoneStoreOnlyAfterTheGracePeriod() throws Exception {
        MachineRuntime runtime = TestRuntime.docker();
        Path live = dir.resolve("live");
        Map<String, String> gone = with(storeLabels("gone-store-id", dir.resolve("gone")),
                "dev.nightshift.snapshot.kind", "environment", "dev.nightshift.env.repository", "file:///nowhere");
        Machine source = runtime.start(MachineSpec.builder(TestRuntime.BASE_IMAGE).build());
        try {
            SnapshotInfo older = source.snapshot(gone);
            SnapshotInfo newer = source.snapshot(gone);
            assertThat(newer.createdAt()).isAfter(older.createdAt());
            // the engine's clock stands one grace period (the default, 1 day) after a moment between the two
            Instant between = older.createdAt().plus(Duration.between(older.createdAt(), newer.createdAt()).dividedBy(2));
            Clock clock = Clock.fixed(between.plus(Duration.ofDays(1)), ZoneOffset.UTC);
            try (Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(live).clock(clock)
                    .sweepInterval(Duration.ofMillis(100)).build()) {
                await("the sweep removes the snapshot older than the grace period", () -> !exists(runtime, older));
                // the same sweep saw the newer one and kept it
                assertThat(exists(runtime, newer)).as("a snapshot younger than the grace period").isTrue();
            }
        } finally {
            source.close();
            TestImages.removeUnder(runtime, dir);
            assertThat(TestImages.under(runtime, dir)).as("left behind").isEmpty();
            runtime.close();
        }
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
