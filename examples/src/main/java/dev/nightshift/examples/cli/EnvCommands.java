package dev.nightshift.examples.cli;

import dev.nightshift.api.Environment;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.core.Nightshift;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nightshift env}: validate environment.json files, and build (prepare and cache) a
 * repository's environment snapshot ahead of its first agent.
 *
 * <p><b>Thread-safety:</b> a program. <b>Lifecycle:</b> one command per process.
 */
@Command(name = "env", description = "environment.json and environment snapshots.",
        subcommands = {EnvCommands.Validate.class, EnvCommands.Build.class})
final class EnvCommands implements Callable<Integer> {
    @ParentCommand NightshiftCli cli;

    @Override
    public Integer call() {
        throw new CliException.Usage("name a subcommand: env validate | env build");
    }

    @Command(name = "validate", description = "Validate environment.json files (exit 0 valid, 5 when any has an error).")
    static final class Validate implements Callable<Integer> {
        @ParentCommand EnvCommands env;

        @Option(names = "--strict", description = "Every warning is an error.")
        boolean strict;

        @Option(names = "--repo", paramLabel = "DIR", description = "Repository root for path checks (default: derived from each file).")
        Path repo;

        @Parameters(paramLabel = "FILE", arity = "1..*")
        List<Path> files;

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>();
            if (strict) {
                args.add("--strict");
            }
            if (repo != null) {
                args.add("--repo");
                args.add(repo.toString());
            }
            files.forEach(f -> args.add(f.toString()));
            int code = dev.nightshift.spec.ValidateEnv.run(args.toArray(String[]::new), System.out, System.err);
            return code == 0 ? NightshiftCli.OK : code == 1 ? NightshiftCli.INVALID : NightshiftCli.USAGE;
        }
    }

    @Command(name = "build", description = "Prepare and cache the environment snapshot for a repository.")
    static final class Build implements Callable<Integer> {
        @ParentCommand EnvCommands env;

        @Option(names = {"-r", "--repo"}, required = true, paramLabel = "URL|PATH")
        String repo;

        @Option(names = "--ref", description = "Branch, tag or commit whose environment.json is used (default branch if absent).")
        String ref;

        @Option(names = "--timeout", defaultValue = "PT1H", description = "Give up after this long (default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() {
            NightshiftCli cli = env.cli;
            Printer printer = cli.printer();
            try (Nightshift engine = cli.engine()) {
                Environment e = engine.environment(AgentCommands.repository(repo), ref);
                printer.line("environment " + e.cacheKey().substring(0, 12) + " (spec from " + e.specOrigin() + ")");
                SnapshotInfo s = e.prepare(timeout, line -> printer.line("build | " + line));
                if (printer.json()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("repository", e.repository());
                    m.put("cacheKey", e.cacheKey());
                    m.put("snapshotId", s.id());
                    m.put("specOrigin", e.specOrigin());
                    printer.object(m);
                } else {
                    printer.line("snapshot " + s.id() + " is ready");
                }
                return NightshiftCli.OK;
            }
        }
    }
}
