package dev.nightshift.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.Problem;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spec.BaseKind;
import dev.nightshift.api.spec.EnvironmentSpec;
import dev.nightshift.api.spec.PortSpec;
import dev.nightshift.api.spec.TerminalSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentParserTest {
    static final String FILE = ".cursor/environment.json";

    static ParseResult lenient(String json) {
        return EnvironmentParser.lenient().parse(FILE, json.getBytes(StandardCharsets.UTF_8));
    }

    static ParseResult strict(String json) {
        return EnvironmentParser.strict().parse(FILE, json.getBytes(StandardCharsets.UTF_8));
    }

    static Problem only(ParseResult r) {
        assertThat(r.problems()).as("problems of %s", r).hasSize(1);
        return r.problems().get(0);
    }

    @Test
    void readsTheReferenceExampleWithComments() {
        ParseResult r = lenient("""
                {
                  // Dockerfile next to this file; the repository root is the build context
                  "build": { "dockerfile": "Dockerfile", "context": ".." },
                  /* block
                     comment */
                  "user": "ubuntu",
                  "install": "pnpm install",
                  "start": "sudo service docker start",
                  "terminals": [ { "name": "web", "command": "pnpm dev", "description": "dev server on :3000" } ],
                  "ports": [ { "name": "web", "port": 3000 } ]
                }
                """);
        assertThat(r.problems()).isEmpty();
        EnvironmentSpec spec = r.orThrow();
        assertThat(spec.baseKind()).isEqualTo(BaseKind.BUILD);
        assertThat(spec.build().dockerfile()).isEqualTo("Dockerfile");
        assertThat(spec.build().context()).isEqualTo("..");
        assertThat(spec.user()).isEqualTo("ubuntu");
        assertThat(spec.terminals()).containsExactly(TerminalSpec.of("web", "pnpm dev").withDescription("dev server on :3000"));
        assertThat(spec.ports()).containsExactly(PortSpec.of("web", 3000));
        assertThat(spec.effectiveAgentCanUpdateSnapshot()).isFalse();
        assertThat(r.contextPath()).as("text-only: the context is known").contains("");
        assertThat(r.dockerfilePath()).as("text-only: the Dockerfile was not looked up").isEmpty();
    }

    @Test
    void everyFieldBinds() {
        EnvironmentSpec spec = lenient("""
                {"$schema": "https://cursor.com/schemas/environment.schema.json", "name": "n", "image": "node:20",
                 "snapshot": "snapshot-20260212-00000000-0000-0000-0000-000000000000", "agentCanUpdateSnapshot": false,
                 "repositoryDependencies": ["github.com/o/r"], "egressMode": "allow_all", "egressAllowlist": ["x.org"],
                 "disableAllMcpServers": true, "mcpServerAllowlist": ["m"], "chromeExecutablePath": "/c",
                 "enable_testing": true, "terminals": [[{"command": "a"}, {"command": "b"}], {"command": "c"}]}
                """).orThrow();
        assertThat(spec.schema()).endsWith("environment.schema.json");
        assertThat(spec.baseKind()).isEqualTo(BaseKind.SNAPSHOT);
        assertThat(spec.effectiveAgentCanUpdateSnapshot()).isFalse();
        assertThat(spec.repositoryDependencies()).containsExactly("github.com/o/r");
        assertThat(spec.egressMode().isKnown()).isTrue();
        assertThat(spec.egressAllowlist()).containsExactly("x.org");
        assertThat(spec.disableAllMcpServers()).isTrue();
        assertThat(spec.mcpServerAllowlist()).containsExactly("m");
        assertThat(spec.chromeExecutablePath()).isEqualTo("/c");
        assertThat(spec.enableTesting()).isTrue();
        assertThat(spec.terminalGroups()).hasSize(2);
        assertThat(spec.terminals()).extracting(TerminalSpec::command).containsExactly("a", "b", "c");
    }

    @Test
    void problemsPrintCompilerStyle() {
        Problem p = only(lenient("{\n  \"terminals\": [\n    {\"name\": \"web\"}\n  ]\n}"));
        assertThat(p.toString()).isEqualTo(FILE + ":3:5: error: /terminals/0: required property 'command' is missing");
    }

    // --- syntax ---

    @Test
    void trailingCommasAreErrors() {
        Problem p = only(lenient("{\n  \"name\": \"x\",\n}"));
        assertThat(p.isError()).isTrue();
        assertThat(p.message()).contains("trailing comma");
        assertThat(p.line()).isEqualTo(2);
        assertThat(p.column()).isEqualTo(14);
        Problem q = only(lenient("{\"ports\": [3000, ]}"));
        assertThat(q.message()).contains("trailing comma before ']'");
        assertThat(lenient("{\"name\": \"x\"}").problems()).as("control").isEmpty();
    }

    @Test
    void utf8ByteOrderMarkIsTolerated() {
        byte[] body = "{\n\"name\": 5}".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);
        Problem p = only(EnvironmentParser.lenient().parse(FILE, withBom));
        assertThat(p.message()).isEqualTo("must be a string, not an integer");
        assertThat(p.line()).as("the BOM does not shift locations").isEqualTo(2);
        assertThat(p.column()).isEqualTo(1);
        byte[] ok = "\uFEFF{\"name\": \"x\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(EnvironmentParser.lenient().parse(FILE, ok).isValid()).isTrue();
    }

    @Test
    void nonUtf8BytesAreRejectedWithTheirPlace() {
        byte[] latin1 = "{\n  \"name\": \"caf\u00e9\"\n}".getBytes(StandardCharsets.ISO_8859_1);
        Problem p = only(EnvironmentParser.lenient().parse(FILE, latin1));
        assertThat(p.message()).isEqualTo("the file is not valid UTF-8 (byte 0xE9)");
        assertThat(p.line()).isEqualTo(2);
        assertThat(p.column()).isEqualTo(15);
        byte[] utf8 = "{\n  \"name\": \"caf\u00e9\"\n}".getBytes(StandardCharsets.UTF_8);
        assertThat(EnvironmentParser.lenient().parse(FILE, utf8).orThrow().name()).as("control").isEqualTo("caf\u00e9");
        byte[] utf16 = "{}".getBytes(StandardCharsets.UTF_16);
        assertThat(only(EnvironmentParser.lenient().parse(FILE, utf16)).message()).contains("UTF-16");
    }

    @Test
    void duplicateKeysAreReported() {
        Problem p = only(lenient("{\n\"install\": \"a\",\n\"install\": \"b\"\n}"));
        assertThat(p.isError()).isTrue();
        assertThat(p.pointer()).isEqualTo("/install");
        assertThat(p.message()).isEqualTo("duplicate key 'install' (first at line 2)");
        assertThat(p.line()).isEqualTo(3);
        Problem nested = only(lenient("{\"build\": {\"dockerfile\": \"a\", \"dockerfile\": \"b\"}}"));
        assertThat(nested.pointer()).isEqualTo("/build/dockerfile");
        assertThat(lenient("{\"install\": \"a\", \"start\": \"b\"}").problems()).as("control").isEmpty();
    }

    @Test
    void deepNestingIsAClearErrorNotAStackOverflow() {
        int depth = 200_000;
        String deep = "[".repeat(depth) + "]".repeat(depth);
        Problem p = only(lenient(deep));
        assertThat(p.message()).isEqualTo("nesting is deeper than 64 levels");
        String deepInExtension = "{\"x\": " + "[".repeat(200_000) + "]".repeat(200_000) + "}";
        assertThat(only(lenient(deepInExtension)).isError()).isTrue();
        String fine = "{\"x\": " + "[".repeat(20) + "]".repeat(20) + "}";
        ParseResult ok = lenient(fine);
        assertThat(ok.isValid()).as("control: 20 levels in an extension are fine").isTrue();
        assertThat(ok.orThrow().extensions()).containsKey("x");
    }

    @Test
    void oversizedFilesAreRefusedUnread(@TempDir Path dir) throws IOException {
        byte[] big = new byte[50 << 20];
        Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        Problem p = only(EnvironmentParser.lenient().parse(FILE, big));
        assertThat(p.message()).isEqualTo("the file is 52428800 bytes; environment.json may be at most 1048576 bytes");
        Path file = dir.resolve("environment.json");
        Files.write(file, big);
        assertThat(only(EnvironmentParser.lenient().parse(file)).message()).contains("52428800 bytes");
        String justUnder = "{\"name\": \"" + "n".repeat(EnvironmentParser.MAX_BYTES - 20) + "\"}";
        assertThat(lenient(justUnder).isValid()).as("control: a file within the limit").isTrue();
    }

    @Test
    void emptyAndCommentOnlyFilesAreExplained() {
        assertThat(only(lenient("")).message()).isEqualTo("the file is empty");
        assertThat(only(lenient(" \n\t\n")).message()).isEqualTo("the file is empty");
        assertThat(only(lenient("// nothing yet\n")).message()).isEqualTo("the file holds only comments, no JSON value");
        assertThat(lenient("{}").orThrow()).as("control").isEqualTo(EnvironmentSpec.DEFAULTS);
    }

    @Test
    void gitLfsPointersAreExplained() {
        Problem p = only(lenient("version https://git-lfs.github.com/spec/v1\n"
                + "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n"));
        assertThat(p.message()).isEqualTo("this file is a Git LFS pointer; its content was not checked out");
        assertThat(p.hint()).isPresent();
    }

    @Test
    void theRootMustBeOneObject() {
        assertThat(only(lenient("[]")).message()).isEqualTo("environment.json must hold a JSON object, not an array");
        assertThat(only(lenient("\"x\"")).message()).isEqualTo("environment.json must hold a JSON object, not a string");
        Problem after = only(lenient("{}\n{}"));
        assertThat(after.message()).isEqualTo("unexpected content after the end of the JSON value");
        assertThat(after.line()).isEqualTo(2);
    }

    @Test
    void syntaxErrorsNeverEchoTheOffendingToken() {
        Problem p = only(lenient("{\n  \"env\": hunter2secret\n}"));
        assertThat(p.isError()).isTrue();
        assertThat(p.message()).startsWith("invalid JSON: ").doesNotContain("hunter2secret");
        assertThat(p.line()).isEqualTo(2);
        assertThat(only(lenient("{\"name\": \"x\" \"user\": \"y\"}")).message()).startsWith("invalid JSON: ");
    }

    // --- lenient interpretations ---

    @Test
    void unknownKeysWarnAndAreKeptAsExtensionsWithoutLeaking() {
        String json = "{\"install\": \"i\",\n \"env\": {\"DATABASE_URL\": \"postgresql://u:pw-x9@h/db\"}}";
        ParseResult r = lenient(json);
        Problem p = only(r);
        assertThat(p.severity()).isEqualTo(Problem.Severity.WARNING);
        assertThat(p.pointer()).isEqualTo("/env");
        assertThat(p.line()).isEqualTo(2);
        assertThat(p.message()).contains("'env'").doesNotContain("pw-x9");
        EnvironmentSpec spec = r.orThrow();
        assertThat(spec.extensions()).containsEntry("env", "{\"DATABASE_URL\":\"postgresql://u:pw-x9@h/db\"}");
        assertThat(spec.toString()).contains("env").doesNotContain("pw-x9");
        ParseResult s = strict(json);
        assertThat(only(s).isError()).isTrue();
        assertThat(s.isValid()).isFalse();
        assertThatThrownBy(s::orThrow).isInstanceOf(ValidationException.class)
                .hasMessage(FILE + ":2:2: error: /env: unknown key 'env'; kept for drivers, not applied by Nightshift");
    }

    @Test
    void unknownKeysInsideObjectsAreNamed() {
        ParseResult r = lenient("{\"ports\": [{\"port\": 1, \"description\": \"d\"}], \"build\": {\"dockerfile\": \"D\", \"target\": \"t\"},"
                + " \"terminals\": [{\"command\": \"c\", \"cwd\": \"/\"}]}");
        assertThat(r.isValid()).isTrue();
        assertThat(r.warnings()).extracting(Problem::pointer)
                .containsExactlyInAnyOrder("/ports/0/description", "/build/target", "/terminals/0/cwd");
    }

    @Test
    void bareIntegerPortsAreReadAsPortObjects() {
        ParseResult r = lenient("{\"ports\": [3000, {\"name\": \"api\", \"port\": 8000}]}");
        Problem p = only(r);
        assertThat(p.severity()).isEqualTo(Problem.Severity.WARNING);
        assertThat(p.pointer()).isEqualTo("/ports/0");
        assertThat(r.orThrow().ports()).containsExactly(PortSpec.of(3000), PortSpec.of("api", 8000));
        assertThat(only(strict("{\"ports\": [3000]}")).isError()).isTrue();
        ParseResult high = lenient("{\"ports\": [70000]}");
        assertThat(high.errors()).as("a bare number is still range-checked").singleElement()
                .satisfies(e -> assertThat(e.toString()).isEqualTo(FILE + ":1:12: error: /ports/0/port: must be in 1..65535, was 70000"));
    }

    @Test
    void topLevelDockerfileGetsAHintAndIsNotApplied() {
        ParseResult r = lenient("{\"dockerfile\": \".cursor/Dockerfile\", \"install\": \"x\"}");
        Problem p = only(r);
        assertThat(p.severity()).isEqualTo(Problem.Severity.WARNING);
        assertThat(p.hint().orElseThrow()).contains("\"build\"");
        assertThat(r.orThrow().build()).isNull();
        assertThat(r.orThrow().baseKind()).isEqualTo(BaseKind.DEFAULT);
        assertThat(only(strict("{\"dockerfile\": \"D\"}")).isError()).isTrue();
    }

    @Test
    void snapshotPlaceholderMeansNoSnapshot() {
        ParseResult r = lenient("{\"snapshot\": \"POPULATED_FROM_SETTINGS\", \"install\": \"x\"}");
        Problem p = only(r);
        assertThat(p.severity()).isEqualTo(Problem.Severity.WARNING);
        assertThat(p.pointer()).isEqualTo("/snapshot");
        assertThat(r.orThrow().snapshot()).isNull();
        assertThat(r.orThrow().baseKind()).isEqualTo(BaseKind.DEFAULT);
        assertThat(only(strict("{\"snapshot\": \"POPULATED_FROM_SETTINGS\"}")).isError()).isTrue();
        assertThat(lenient("{\"snapshot\": \"snapshot-20260101-x\"}").orThrow().baseKind()).as("control")
                .isEqualTo(BaseKind.SNAPSHOT);
    }

    @Test
    void schemaKeyIsAccepted() {
        assertThat(strict("{\"$schema\": \"https://www.cursor.com/schemas/environment.schema.json\"}").problems()).isEmpty();
    }

    @Test
    void unknownEgressModeIsAnErrorInBothModes() {
        for (EnvironmentParser parser : List.of(EnvironmentParser.lenient(), EnvironmentParser.strict())) {
            Problem p = only(parser.parse(FILE, "{\n  \"egressMode\": \"sometimes\"\n}".getBytes(StandardCharsets.UTF_8)));
            assertThat(p.isError()).isTrue();
            assertThat(p.pointer()).isEqualTo("/egressMode");
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.column()).as("the key").isEqualTo(3);
            assertThat(p.message()).isEqualTo("unknown egressMode");
        }
        for (String mode : List.of("allow_all", "parent_plus_network_settings", "default_with_network_settings",
                "network_settings_only")) {
            assertThat(strict("{\"egressMode\": \"" + mode + "\"}").problems()).as("control: %s", mode).isEmpty();
        }
    }

    @Test
    void malformedAllowlistEntriesAreErrorsWithTheirPlace() {
        List<String> bad = List.of("*", "*example.com", "a.*.com", "https://x.org", "x.org:443", "x.org/path",
                "x..org", ".x.org", "x.org.", "-x.org", "x-.org", "", "a b.org", "caf\u00e9.org", "1.2.3",
                "1.2.3.256", "*.1.2.3.4", "x.123", "u@x.org", "a".repeat(64) + ".org");
        for (String entry : bad) {
            ParseResult r = lenient("{\"egressAllowlist\": [\"ok.org\",\n  \"" + entry + "\"]}");
            Problem p = only(r);
            assertThat(p.isError()).as(entry).isTrue();
            assertThat(p.pointer()).as(entry).isEqualTo("/egressAllowlist/1");
            assertThat(p.line()).as(entry).isEqualTo(2);
            assertThat(p.column()).as(entry).isEqualTo(3);
            assertThat(p.message()).as(entry).startsWith("malformed allowlist entry: ");
        }
        ParseResult ok = strict("{\"egressMode\": \"network_settings_only\", \"egressAllowlist\": [\"registry.npmjs.org\","
                + " \"*.Example.COM\", \"x-y.z9.io\", \"localhost\", \"10.1.2.3\", \"xn--caf-dma.org\"]}");
        assertThat(ok.problems()).as("control: well-formed entries").isEmpty();
        assertThat(ok.orThrow().egressAllowlist()).as("carried as written").contains("*.Example.COM");
    }

    // --- errors in both modes ---

    @Test
    void wrongTypesWithoutClearIntentAreErrors() {
        for (EnvironmentParser parser : List.of(EnvironmentParser.lenient(), EnvironmentParser.strict())) {
            ParseResult r = parser.parse(FILE, "{\n\"install\": 5,\n\"ports\": [\"3000\"], \"terminals\": {}}"
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(r.isValid()).isFalse();
            assertThat(r.errors()).extracting(Problem::pointer).containsExactly("/install", "/ports/0", "/terminals");
            assertThat(r.errors().get(0).message()).isEqualTo("must be a string, not an integer");
            assertThat(r.errors().get(0).line()).isEqualTo(2);
            assertThat(r.errors().get(1).message()).isEqualTo("must be an object, not a string");
            assertThat(r.errors().get(2).message()).isEqualTo("must be an array, not an object");
        }
    }

    @Test
    void terminalCommandIsRequiredAndNotBlank() {
        assertThat(only(lenient("{\"terminals\": [[{\"command\": \"a\"}, {\"name\": \"b\"}]]}")).pointer())
                .isEqualTo("/terminals/0/1");
        assertThat(only(lenient("{\"terminals\": [{\"command\": \"  \"}]}")).toString())
                .endsWith("/terminals/0/command: must not be empty");
        assertThat(only(lenient("{\"terminals\": [{\"command\": \"c\", \"name\": 3}]}")).pointer())
                .isEqualTo("/terminals/0/name");
    }

    @Test
    void portsOutOfRangeAreErrors() {
        assertThat(only(lenient("{\"ports\": [{\"port\": 0}]}")).message()).isEqualTo("must be in 1..65535, was 0");
        assertThat(only(lenient("{\"ports\": [{\"port\": 65536}]}")).isError()).isTrue();
        assertThat(only(lenient("{\"ports\": [{\"name\": \"x\"}]}")).message()).isEqualTo("required property 'port' is missing");
        assertThat(lenient("{\"ports\": [{\"port\": 65535}, {\"port\": 1}]}").problems()).as("control").isEmpty();
    }

    @Test
    void buildNeedsExactlyOneDockerfileSource() {
        Problem both = only(lenient("{\"build\": {\"dockerfile\": \"D\", \"dockerfileContents\": \"FROM x\"}}"));
        assertThat(both.pointer()).isEqualTo("/build");
        assertThat(both.message()).isEqualTo("'dockerfile' and 'dockerfileContents' are both set");
        assertThat(only(lenient("{\"build\": {\"context\": \"..\"}}")).message())
                .isEqualTo("build needs 'dockerfile' or 'dockerfileContents'");
        EnvironmentSpec inline = lenient("{\"build\": {\"dockerfileContents\": \"FROM debian\"}}").orThrow();
        assertThat(inline.build().dockerfileContents()).isEqualTo("FROM debian");
    }

    // --- path text ---

    @Test
    void buildPathsMayNotLeaveTheRepository() {
        assertThat(only(lenient("{\"build\": {\"dockerfile\": \"/etc/Dockerfile\"}}")).message())
                .isEqualTo("dockerfile '/etc/Dockerfile' is an absolute path");
        assertThat(only(lenient("{\"build\": {\"dockerfile\": \"../../Dockerfile\"}}")).message())
                .isEqualTo("dockerfile '../../Dockerfile' leaves the repository");
        Problem ctx = only(lenient("{\"build\": {\"dockerfile\": \"D\", \"context\": \"../..\"}}"));
        assertThat(ctx.pointer()).isEqualTo("/build/context");
        assertThat(only(lenient("{\"build\": {\"dockerfile\": \"D\", \"context\": \"..\\\\x\"}}")).message()).contains("'\\'");
        assertThat(only(lenient("{\"build\": {\"dockerfile\": \"D\", \"context\": \"C:/x\"}}")).message()).contains("absolute");
        assertThat(lenient("{\"build\": {\"dockerfile\": \"../docker/Dockerfile\"}}").isValid()).as("control").isTrue();
    }

    @Test
    void contextAliasesAndDefault() {
        for (String root : List.of(".", "./", "..", "../")) {
            assertThat(lenient("{\"build\": {\"dockerfile\": \"D\", \"context\": \"" + root + "\"}}").contextPath())
                    .as(root).contains("");
        }
        assertThat(lenient("{\"build\": {\"dockerfile\": \"D\"}}").contextPath()).contains(".cursor");
        assertThat(lenient("{\"build\": {\"dockerfile\": \"D\", \"context\": \"../web\"}}").contextPath()).contains("web");
        assertThat(lenient("{\"build\": {\"dockerfile\": \"D\", \"context\": \"docker\"}}").contextPath())
                .contains(".cursor/docker");
    }

    @Test
    void oneParserServesManyThreads() throws Exception {
        String good = "{\"install\": \"x\", \"ports\": [3000], \"terminals\": [{\"command\": \"c\"}]}";
        String bad = "{\"terminals\": [{\"name\": \"t\"}], \"ports\": [{\"port\": 0}]}";
        ParseResult goodOnce = lenient(good);
        ParseResult badOnce = lenient(bad);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                boolean even = i % 2 == 0;
                results.add(pool.submit(() -> even
                        ? lenient(good).orThrow().equals(goodOnce.orThrow()) && lenient(good).problems().equals(goodOnce.problems())
                        : lenient(bad).problems().equals(badOnce.problems())));
            }
            for (java.util.concurrent.Future<Boolean> f : results) {
                assertThat(f.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(badOnce.errors()).as("control: the bad file has errors to compare").hasSize(2);
    }

    @Test
    void parsingIsRepeatableAndShared() {
        String json = "{\"install\": \"x\", \"ports\": [1]}";
        assertThat(lenient(json).orThrow()).isEqualTo(lenient(json).orThrow());
        assertThat(EnvironmentParser.builder().strict(true).build().isStrict()).isTrue();
        assertThat(EnvironmentParser.builder().build()).isSameAs(EnvironmentParser.lenient());
    }
}
