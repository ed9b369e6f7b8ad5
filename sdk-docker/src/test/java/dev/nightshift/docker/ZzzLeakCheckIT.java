package dev.nightshift.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Image;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other integration test of this module (failsafe runs them alphabetically, in
 * one JVM): this run labelled at least one container, and no container or image with this run's
 * label is left. Only this run's label is looked at: other test runs share the engine.
 */
class ZzzLeakCheckIT {
    @Test
    void nothingThisRunLabelledIsLeft() {
        DockerTests.runtime();
        DockerClient docker = DockerMachineIT.docker();
        assertThat(DockerTests.STARTED).as("containers this run started (a leak check that saw none proves nothing)")
                .isNotEmpty();
        List<Container> containers = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(DockerTests.runLabels()).exec();
        assertThat(containers).as("containers labelled %s left behind", DockerTests.runLabels())
                .extracting(Container::getId).isEmpty();
        List<Image> images = docker.listImagesCmd().withShowAll(true).withLabelFilter(DockerTests.runLabels()).exec();
        assertThat(images).as("images labelled %s left behind", DockerTests.runLabels())
                .extracting(i -> i.getId() + " " + List.of(i.getRepoTags() == null ? new String[0] : i.getRepoTags()))
                .isEmpty();
    }
}
