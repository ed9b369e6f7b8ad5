package dev.nightshift.docker.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.BuildFailedException;
import org.junit.jupiter.api.Test;

class DockerfileCheckTest {
    @Test
    void refusesRunMountNamingTheLine() {
        String df = "FROM debian\nRUN apt-get update\nRUN --mount=type=cache,target=/var/cache/apt apt-get install -y x\n";
        assertThatThrownBy(() -> DockerfileCheck.requireClassicBuilder(df, ".cursor/Dockerfile"))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageContaining(".cursor/Dockerfile line 3")
                .hasMessageContaining("RUN --mount")
                .hasMessageContaining("BuildKit");
    }

    @Test
    void refusesSyntaxDirectiveAndHeredocs() {
        assertThatThrownBy(() -> DockerfileCheck.requireClassicBuilder("# syntax=docker/dockerfile:1\nFROM x\n", "Dockerfile"))
                .isInstanceOf(BuildFailedException.class).hasMessageContaining("line 1");
        assertThatThrownBy(() -> DockerfileCheck.requireClassicBuilder("FROM x\nRUN <<EOF\necho hi\nEOF\n", "Dockerfile"))
                .isInstanceOf(BuildFailedException.class).hasMessageContaining("heredoc");
        assertThatThrownBy(() -> DockerfileCheck.requireClassicBuilder("FROM x\nCOPY --link a b\n", "Dockerfile"))
                .isInstanceOf(BuildFailedException.class).hasMessageContaining("line 2");
    }

    @Test
    void acceptsClassicDockerfiles() {
        String df = "# a comment about syntax = nothing\nFROM debian:bookworm\nARG X\n"
                + "RUN echo '--mount is just text here' && apt-get update\nCOPY --chown=1000:1000 . /app\n"
                + "# syntax=late directives are plain comments\n";
        assertThatCode(() -> DockerfileCheck.requireClassicBuilder(df, "Dockerfile")).doesNotThrowAnyException();
    }
}
