package dev.nightshift.docker;

import static dev.nightshift.docker.DockerTests.runLabels;
import static dev.nightshift.docker.DockerTests.runtime;
import static dev.nightshift.docker.DockerTests.spec;
import static dev.nightshift.docker.DockerTests.track;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.BuildFailedException;
import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.Image;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.Machine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image sources: default base, references, Dockerfile builds (classic builder), errors. */
class DockerImagesIT {
    static final List<String> BUILT = Collections.synchronizedList(new ArrayList<>());

    @TempDir
    Path context;

    @AfterAll
    static void removeBuilt() {
        var docker = DockerMachineIT.docker();
        for (String id : BUILT) {
            try {
                docker.removeImageCmd(id).withForce(true).exec();
            } catch (RuntimeException ignored) {
                // shared by two builds (layer cache): removed once
            }
        }
    }

    private ImageSource.Dockerfile dockerfile(String text, Map<String, String> args) throws IOException {
        Files.writeString(context.resolve("Dockerfile"), text);
        return ((ImageSource.Dockerfile) ImageSource.dockerfile(context, "Dockerfile", null, args)).withLabels(runLabels());
    }

    @Test
    void madeImagesAreListedByLabelAndRemovedOnlyWhenNothingIsBuiltOnThem() throws IOException {
        Files.writeString(context.resolve("gc.txt"), "gc " + System.nanoTime() + "\n");
        ImageSource.Dockerfile source = dockerfile("FROM " + runtime().baseImage() + "\nCOPY gc.txt /opt/gc.txt\n", Map.of())
                .withLabels(Map.of(DockerTests.RUN_LABEL, DockerTests.RUN_ID, "dev.nightshift.test.gc", "build"));
        Image built = runtime().prepareImage(source, null);
        BUILT.add(built.id());
        // the classic builder gives each label a layer: only the build itself carries all of them
        Map<String, String> all = Map.of(DockerTests.RUN_LABEL, DockerTests.RUN_ID, "dev.nightshift.test.gc", "build");
        assertThat(runtime().images(all)).extracting(i -> i.id()).containsExactly(built.id());
        dev.nightshift.api.runtime.SnapshotInfo snapshot;
        try (Machine m = track(runtime().start(spec().image(built.id()).build()))) {
            snapshot = m.snapshot(runLabels());
        }
        try {
            assertThat(runtime().images(all)).as("the build is listed while a snapshot (which inherits its labels)"
                    + " hides it from the default list").extracting(i -> i.id()).contains(built.id(), snapshot.imageId());
            assertThat(runtime().removeImage(built.id())).as("a snapshot is built on it").isFalse();
        } finally {
            runtime().deleteSnapshot(snapshot.id());
        }
        assertThat(runtime().removeImage(built.id())).as("removed with the snapshot, or now").isTrue();
        assertThat(runtime().images(Map.of("dev.nightshift.test.gc", "build"))).as("its label layers went with it")
                .isEmpty();
        assertThatThrownBy(() -> runtime().removeImage(runtime().prepareImage(ImageSource.defaultBase(), null).id()))
                .as("the base image (labelled managed, but named) is never removed").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a build or snapshot");
    }

    @Test
    void theDefaultBaseAndLocalReferencesResolve() {
        Image base = runtime().prepareImage(ImageSource.defaultBase(), null);
        assertThat(base.id()).startsWith("sha256:");
        assertThat(runtime().prepareImage(ImageSource.reference(runtime().baseImage()), null).id()).isEqualTo(base.id());
    }

    @Test
    void anUnknownImageIsAClearError() {
        List<String> out = new ArrayList<>();
        assertThatThrownBy(() -> runtime().prepareImage(ImageSource.reference("nightshift/no-such-image:never"), out::add))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("nightshift/no-such-image:never")
                .hasMessageContaining("neither present");
        assertThat(out).anyMatch(l -> l.contains("pull"));
        try (DockerRuntime other = DockerRuntime.builder().baseImage("nightshift/no-such-base:never").build()) {
            assertThatThrownBy(() -> other.prepareImage(ImageSource.defaultBase(), null))
                    .isInstanceOf(EnvironmentUnavailableException.class).hasMessageContaining("scripts/base-image");
        }
    }

    @Test
    void aDockerfileBuildsWithArgsStreamsOutputAndReusesTheCache() throws IOException {
        Files.writeString(context.resolve("hello.txt"), "hello from the context\n");
        ImageSource.Dockerfile source = dockerfile("FROM " + runtime().baseImage() + "\nCOPY hello.txt /opt/hello.txt\n"
                + "ARG FLAVOUR\nRUN echo \"flavour=$FLAVOUR\" > /opt/flavour.txt\n", Map.of("FLAVOUR", "mint"));
        List<String> out = new ArrayList<>();
        Image image = runtime().prepareImage(source, out::add);
        BUILT.add(image.id());
        assertThat(out).anyMatch(l -> l.startsWith("Step 1/"));
        assertThat(image.labels()).containsAllEntriesOf(runLabels());
        try (Machine m = track(runtime().start(spec().image(image.id()).build()))) {
            assertThat(m.exec(ExecRequest.bash("cat /opt/hello.txt /opt/flavour.txt").build()).await(Duration.ofSeconds(60))
                    .stdoutTail()).isEqualTo("hello from the context\nflavour=mint\n");
        }
        List<String> again = new ArrayList<>();
        Image second = runtime().prepareImage(source, again::add);
        assertThat(second.id()).isEqualTo(image.id());
        assertThat(again).as("the second build reuses the layer cache").anyMatch(l -> l.contains("Using cache"));
    }

    @Test
    void anInlineDockerfileBuilds() throws IOException {
        Files.writeString(context.resolve("from-context.txt"), "read from the context\n");
        // A decoy: the inline text, not a Dockerfile lying in the context, is what gets built.
        Files.writeString(context.resolve("Dockerfile"), "FROM " + runtime().baseImage()
                + "\nRUN echo decoy > /opt/inline.txt\n");
        ImageSource.Dockerfile source = ((ImageSource.Dockerfile) ImageSource.dockerfile(context, null,
                "FROM " + runtime().baseImage() + "\nCOPY from-context.txt /opt/from-context.txt\n"
                        + "RUN echo inline > /opt/inline.txt\n", Map.of())).withLabels(runLabels());
        Image image = runtime().prepareImage(source, null);
        BUILT.add(image.id());
        assertThat(image.labels()).containsEntry("dev.nightshift.managed", "true");
        try (Machine m = track(runtime().start(spec().image(image.id()).build()))) {
            assertThat(m.exec(ExecRequest.bash("cat /opt/inline.txt /opt/from-context.txt").build())
                    .await(Duration.ofSeconds(60)).stdoutTail())
                    .as("the files the inline Dockerfile wrote and copied from its context")
                    .isEqualTo("inline\nread from the context\n");
        }
    }

    @Test
    void aFailingDockerfileCarriesTheLastLinesOfOutput() throws IOException {
        ImageSource.Dockerfile source = dockerfile("FROM " + runtime().baseImage()
                + "\nRUN echo preparing-the-failure && echo about-to-fail >&2 && exit 3\n", Map.of());
        assertThatThrownBy(() -> runtime().prepareImage(source, null))
                .isInstanceOfSatisfying(BuildFailedException.class, e -> {
                    assertThat(e.lastLines()).anyMatch(l -> l.contains("preparing-the-failure"));
                    assertThat(e.getMessage()).contains("returned a non-zero code: 3").contains("preparing-the-failure");
                });
    }

    @Test
    void buildKitOnlySyntaxIsRefusedWithAClearError() throws IOException {
        ImageSource.Dockerfile source = dockerfile("FROM " + runtime().baseImage()
                + "\nRUN --mount=type=cache,target=/root/.cache true\n", Map.of());
        assertThatThrownBy(() -> runtime().prepareImage(source, null)).isInstanceOf(BuildFailedException.class)
                .hasMessageContaining("Dockerfile line 2").hasMessageContaining("BuildKit");
    }

    @Test
    void anImageWithoutGitIsRefusedAtStart() throws IOException {
        ImageSource.Dockerfile source = dockerfile("FROM " + runtime().baseImage()
                + "\nRUN rm -f /usr/bin/git\n", Map.of());
        Image noGit = runtime().prepareImage(source, null);
        BUILT.add(noGit.id());
        int before = runtime().machines(runLabels()).size();
        assertThatThrownBy(() -> runtime().start(spec().image(noGit.id()).build()))
                .isInstanceOf(EnvironmentUnavailableException.class).hasMessageContaining("git is missing");
        assertThat(runtime().machines(runLabels())).as("the refused machine was removed").hasSize(before);
    }
}
