package dev.nightshift.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A small sample project with a {@code .cursor/environment.json} (install, start, one terminal),
 * pushed to a bare "remote" on disk with the git command line.
 *
 * <p><b>Thread-safety:</b> stateless. <b>Lifecycle:</b> {@link #create(Path)} once per demo.
 */
public final class SampleRepository {
    private SampleRepository() {
    }

    /** The sample's files, path to content. */
    public static Map<String, String> files() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("README.md", "# Sample\n\nA project for trying Nightshift.\n");
        f.put(".gitignore", ".deps/\n");
        f.put("app.sh", "#!/usr/bin/env bash\nwhile true; do echo \"app alive at $(date -u +%T)\"; sleep 5; done\n");
        f.put(".cursor/install.sh", String.join("\n",
                "#!/usr/bin/env bash",
                "# idempotent: the slow part runs once, later runs find its output and skip it",
                "set -euo pipefail",
                "if [ -f .deps/ready ]; then echo 'dependencies are up to date'; exit 0; fi",
                "echo 'installing dependencies (first run: slow)'",
                "sleep 3",
                "mkdir -p .deps && date -u > .deps/ready",
                "echo run >> \"$HOME/.install-slow-runs\"",
                "echo 'dependencies installed'", ""));
        f.put(".cursor/start.sh", String.join("\n",
                "#!/usr/bin/env bash",
                "# a service that runs beside the agent",
                "setsid nohup bash app.sh > /tmp/app.log 2>&1 < /dev/null &",
                "echo 'app service started'", ""));
        f.put(".cursor/environment.json", String.join("\n",
                "{",
                "  // read at the commit the agent starts from",
                "  \"name\": \"nightshift sample\",",
                "  \"user\": \"ubuntu\",",
                "  \"install\": \"bash .cursor/install.sh\",",
                "  \"start\": \"bash .cursor/start.sh\",",
                "  \"terminals\": [",
                "    { \"name\": \"app\", \"command\": \"tail -F /tmp/app.log\", \"description\": \"the app's log\" }",
                "  ]",
                "}", ""));
        return f;
    }

    /** Writes the sample under {@code dir} and returns the {@code file://} URL of its bare remote. */
    public static String create(Path dir) {
        return create(dir, files());
    }

    /** Like {@link #create(Path)} with other files. */
    public static String create(Path dir, Map<String, String> files) {
        try {
            Path bare = dir.resolve("remote.git");
            Path work = dir.resolve("work");
            Files.createDirectories(work);
            git(dir, "init", "-q", "--bare", "-b", "main", bare.toString());
            git(work, "init", "-q", "-b", "main");
            for (Map.Entry<String, String> e : files.entrySet()) {
                Path p = work.resolve(e.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, e.getValue(), StandardCharsets.UTF_8);
            }
            git(work, "add", "-A");
            git(work, "-c", "user.name=Sample", "-c", "user.email=sample@example.invalid", "commit", "-q", "-m", "Sample project");
            git(work, "push", "-q", bare.toString(), "main");
            return bare.toUri().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void git(Path dir, String... args) throws IOException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "git";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("git " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
