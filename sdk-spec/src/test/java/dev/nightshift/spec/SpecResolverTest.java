package dev.nightshift.spec;

import dev.nightshift.api.spec.RepositoryTree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.Problem;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spec.BuildSpec;
import dev.nightshift.api.spec.EnvironmentSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecResolverTest {
    @TempDir
    Path repo;

    @TempDir
    Path outside;

    final EnvironmentSpec personal = EnvironmentSpec.builder().name("personal").install("p").build();
    final EnvironmentSpec team = EnvironmentSpec.builder().name("team").install("t").build();

    private void write(String path, String text) throws IOException {
        Path p = repo.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    private RepositoryTree tree() {
        return DirectoryTree.of(repo);
    }

    private ResolvedSpec resolve() {
        return SpecResolver.builder().build().resolve(tree());
    }

    @Test
    void precedenceIsRepositoryThenPersonalThenTeamThenDefaults() throws IOException {
        SpecResolver all = SpecResolver.builder().personal(personal).team(team).build();
        ResolvedSpec r = SpecResolver.builder().team(team).build().resolve(tree());
        assertThat(r.origin()).isEqualTo("team");
        assertThat(r.spec()).isEqualTo(team);
        assertThat(all.resolve(tree()).origin()).isEqualTo("personal");
        ResolvedSpec none = SpecResolver.builder().build().resolve(tree());
        assertThat(none.origin()).isEqualTo("defaults");
        assertThat(none.spec()).isEqualTo(EnvironmentSpec.DEFAULTS);
        assertThat(none.digest()).isEqualTo(EnvironmentSpec.DEFAULTS.buildDigest());

        write(".cursor/environment.json", "{\"name\": \"repo\", \"install\": \"r\", \"ports\": [3000]}");
        ResolvedSpec fromRepo = all.resolve(tree());
        assertThat(fromRepo.origin()).isEqualTo("repository:.cursor/environment.json");
        assertThat(fromRepo.spec().name()).isEqualTo("repo");
        assertThat(fromRepo.digest()).isEqualTo(fromRepo.spec().buildDigest());
        assertThat(fromRepo.warnings()).extracting(Problem::pointer).containsExactly("/ports/0");
        assertThat(fromRepo.dockerfilePath()).isNull();
        assertThat(fromRepo.contextPath()).isNull();
    }

    @Test
    void aBrokenRepositoryFileIsAnErrorNotAFallback() throws IOException {
        write(".cursor/environment.json", "{\n  \"terminals\": [{}]\n}");
        SpecResolver resolver = SpecResolver.builder().personal(personal).build();
        assertThatThrownBy(() -> resolver.resolve(tree()))
                .isInstanceOf(ValidationException.class)
                .hasMessage(".cursor/environment.json:2:17: error: /terminals/0: required property 'command' is missing");
    }

    @Test
    void strictModeTurnsWarningsIntoErrors() throws IOException {
        write(".cursor/environment.json", "{\"install\": \"x\", \"env\": {\"K\": \"v\"}}");
        assertThat(resolve().warnings()).hasSize(1);
        assertThatThrownBy(() -> SpecResolver.builder().strict(true).build().resolve(tree()))
                .isInstanceOfSatisfying(ValidationException.class,
                        e -> assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.isError()).isTrue()));
    }

    @Test
    void dockerfileNextToEnvironmentJson() throws IOException {
        write(".cursor/environment.json", "{\"build\": {\"dockerfile\": \"Dockerfile\"}}");
        write(".cursor/Dockerfile", "FROM debian\n");
        ResolvedSpec r = resolve();
        assertThat(r.dockerfilePath()).isEqualTo(".cursor/Dockerfile");
        assertThat(r.contextPath()).isEqualTo(".cursor");
    }

    @Test
    void dockerfileRelativeToTheContextAsMooseDoes() throws IOException {
        // 514-labs/moose: {"dockerfile": ".cursor/Dockerfile", "context": ".."}
        write(".cursor/environment.json", "{\"build\": {\"dockerfile\": \".cursor/Dockerfile\", \"context\": \"..\"}}");
        write(".cursor/Dockerfile", "FROM debian\n");
        ResolvedSpec r = resolve();
        assertThat(r.dockerfilePath()).isEqualTo(".cursor/Dockerfile");
        assertThat(r.contextPath()).isEqualTo("");
    }

    @Test
    void theSpecRelativeDockerfileWinsOverTheContextOne() throws IOException {
        write(".cursor/environment.json", "{\"build\": {\"dockerfile\": \"Dockerfile\", \"context\": \".\"}}");
        write(".cursor/Dockerfile", "FROM a\n");
        write("Dockerfile", "FROM b\n");
        assertThat(resolve().dockerfilePath()).isEqualTo(".cursor/Dockerfile");
        Files.delete(repo.resolve(".cursor/Dockerfile"));
        assertThat(resolve().dockerfilePath()).isEqualTo("Dockerfile");
    }

    @Test
    void aMissingDockerfileNamesWhereItLooked() throws IOException {
        write(".cursor/environment.json", "{\"build\": {\"dockerfile\": \"Dockerfile.agent\", \"context\": \"..\"}}");
        assertThatThrownBy(this::resolve).isInstanceOf(ValidationException.class)
                .hasMessageContaining("/build/dockerfile: dockerfile 'Dockerfile.agent' not found"
                        + " (looked for .cursor/Dockerfile.agent and Dockerfile.agent)");
    }

    @Test
    void aContextThatIsNotADirectoryIsAnError() throws IOException {
        write(".cursor/environment.json", "{\"build\": {\"dockerfile\": \"Dockerfile\", \"context\": \"../web\"}}");
        write(".cursor/Dockerfile", "FROM a\n");
        assertThatThrownBy(this::resolve).hasMessageContaining("/build/context: build context '../web' (web) is not a directory");
        Files.createDirectories(repo.resolve("web"));
        assertThat(resolve().contextPath()).as("control").isEqualTo("web");
    }

    @Test
    void aSnapshotBaseDoesNotNeedTheDockerfile() throws IOException {
        write(".cursor/environment.json", "{\"snapshot\": \"snapshot-1\", \"build\": {\"dockerfile\": \"Gone\"}}");
        ResolvedSpec r = resolve();
        assertThat(r.dockerfilePath()).isNull();
        assertThat(r.spec().build().dockerfile()).isEqualTo("Gone");
    }

    @Test
    void symlinksOutOfTheRepositoryAreErrors() throws IOException {
        write(".cursor/environment.json", "{\"build\": {\"dockerfile\": \"Dockerfile\"}}");
        Files.writeString(outside.resolve("Dockerfile"), "FROM evil\n");
        Files.createSymbolicLink(repo.resolve(".cursor/Dockerfile"), outside.resolve("Dockerfile"));
        assertThatThrownBy(this::resolve).hasMessageContaining("leaves the repository through a symbolic link");

        Files.delete(repo.resolve(".cursor/Dockerfile"));
        Path relativeOut = repo.resolve(".cursor").relativize(outside.resolve("Dockerfile"));
        Files.createSymbolicLink(repo.resolve(".cursor/Dockerfile"), relativeOut);
        assertThatThrownBy(this::resolve).hasMessageContaining("leaves the repository through a symbolic link");

        Files.delete(repo.resolve(".cursor/Dockerfile"));
        write("docker/Dockerfile", "FROM ok\n");
        Files.createSymbolicLink(repo.resolve(".cursor/Dockerfile"), Path.of("../docker/Dockerfile"));
        assertThat(resolve().dockerfilePath()).as("control: a link inside the repository").isEqualTo("docker/Dockerfile");
    }

    @Test
    void aContextLinkOutOfTheRepositoryIsAnError() throws IOException {
        write(".cursor/environment.json", "{\"build\": {\"dockerfile\": \"../Dockerfile\", \"context\": \"../ctx\"}}");
        write("Dockerfile", "FROM a\n");
        Files.createSymbolicLink(repo.resolve("ctx"), outside);
        assertThatThrownBy(this::resolve).isInstanceOf(ValidationException.class)
                .hasMessageContaining("/build/context: build context '../ctx' leaves the repository through a symbolic link");
    }

    @Test
    void aSymlinkedEnvironmentJsonInsideTheRepositoryIsRead() throws IOException {
        write("config/env.json", "{\"name\": \"linked\"}");
        Files.createDirectories(repo.resolve(".cursor"));
        Files.createSymbolicLink(repo.resolve(".cursor/environment.json"), Path.of("../config/env.json"));
        assertThat(resolve().spec().name()).isEqualTo("linked");
        Files.delete(repo.resolve(".cursor/environment.json"));
        Files.writeString(outside.resolve("env.json"), "{}");
        Files.createSymbolicLink(repo.resolve(".cursor/environment.json"), outside.resolve("env.json"));
        assertThatThrownBy(this::resolve).hasMessageContaining("symbolic link that leaves the repository");
    }

    @Test
    void savedConfigsWithABuildResolveAgainstTheTree() throws IOException {
        EnvironmentSpec saved = EnvironmentSpec.builder().build(BuildSpec.dockerfile("Dockerfile", "..")).build();
        SpecResolver resolver = SpecResolver.builder().team(saved).build();
        assertThatThrownBy(() -> resolver.resolve(tree())).isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("team:0:0: error: /build/dockerfile:");
        write(".cursor/Dockerfile", "FROM a\n");
        ResolvedSpec r = resolver.resolve(tree());
        assertThat(r.origin()).isEqualTo("team");
        assertThat(r.dockerfilePath()).isEqualTo(".cursor/Dockerfile");
        assertThat(r.contextPath()).isEmpty();
        EnvironmentSpec escaping = EnvironmentSpec.builder().build(BuildSpec.dockerfile("../../x", null)).build();
        assertThatThrownBy(() -> SpecResolver.builder().personal(escaping).build().resolve(tree()))
                .hasMessageContaining("leaves the repository");
    }
}
