package dev.nightshift.examples.cli;

import dev.nightshift.api.Environment;
import dev.nightshift.api.SetupSession;
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
        subcommands = {EnvCommands.Validate.class, EnvCommands.Build.class, EnvCommands.Setup.class,
                EnvCommands.Snapshot.class})
final class EnvCommands implements Callable<Integer> {
    @ParentCommand NightshiftCli cli;

    @Override
    public Integer call() {
        throw new CliException.Usage("name a subcommand: env validate | env build | env setup | env snapshot");
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

    @Command(name = "setup", description = "Start a machine from the environment's base with the repository checked out"
            + " and no agent, to set it up by hand; then 'env snapshot'. --list shows setups, --rm removes one.")
    static final class Setup implements Callable<Integer> {
        @ParentCommand EnvCommands env;

        @Option(names = {"-r", "--repo"}, paramLabel = "URL|PATH", description = "Repository to set up.")
        String repo;

        @Option(names = "--ref", description = "Branch, tag or commit to check out (default branch if absent).")
        String ref;

        @Option(names = "--list", description = "List the setups of this state directory.")
        boolean list;

        @Option(names = "--rm", paramLabel = "SETUP_ID", description = "Remove a setup's machine.")
        String remove;

        @Override
        public Integer call() {
            int modes = (repo != null ? 1 : 0) + (list ? 1 : 0) + (remove != null ? 1 : 0);
            if (modes != 1) {
                throw new CliException.Usage("give exactly one of --repo R, --list, --rm SETUP_ID");
            }
            NightshiftCli cli = env.cli;
            Printer printer = cli.printer();
            try (Nightshift engine = cli.engine()) {
                if (list) {
                    List<Map<String, Object>> rows = new ArrayList<>();
                    for (SetupSession s : engine.setups()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("setupId", s.id());
                        m.put("repository", s.repository());
                        m.put("machineId", s.machine().id());
                        rows.add(m);
                        if (!printer.json()) {
                            printer.line(s.id() + "  " + s.repository() + "  machine " + s.machine().id().substring(0, 12));
                        }
                    }
                    if (printer.json()) {
                        printer.object(Map.of("setups", rows));
                    } else if (rows.isEmpty()) {
                        printer.line("no setups");
                    }
                    return NightshiftCli.OK;
                }
                if (remove != null) {
                    engine.setupSession(remove).close();
                    printer.line("removed " + remove);
                    return NightshiftCli.OK;
                }
                SetupSession s = engine.setup(AgentCommands.repository(repo), ref);
                String attach = s.attach().commandLine();
                if (printer.json()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("setupId", s.id());
                    m.put("machineId", s.machine().id());
                    m.put("attach", s.attach().command());
                    printer.object(m);
                } else {
                    printer.line("setup " + s.id() + " is running (machine " + s.machine().id().substring(0, 12) + ")");
                    printer.line("attach: " + attach);
                    printer.line("then: nightshift env snapshot " + s.id() + " [--name N]"
                            + " (only the disk is kept, not running processes)");
                }
                return NightshiftCli.OK;
            }
        }
    }

    @Command(name = "snapshot", description = "Snapshot a setup's disk; prints the id to put in environment.json"
            + " (\"snapshot\": \"<id>\").")
    static final class Snapshot implements Callable<Integer> {
        @ParentCommand EnvCommands env;

        @Parameters(paramLabel = "SETUP_ID")
        String setupId;

        @Option(names = "--name", description = "A name for the snapshot (a label for people).")
        String name;

        @Override
        public Integer call() {
            NightshiftCli cli = env.cli;
            Printer printer = cli.printer();
            try (Nightshift engine = cli.engine()) {
                SnapshotInfo s = engine.setupSession(setupId).snapshot(name);
                if (printer.json()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("setupId", setupId);
                    m.put("snapshotId", s.id());
                    m.put("name", name);
                    printer.object(m);
                } else {
                    printer.line("snapshot " + s.id());
                    printer.line("use it in .cursor/environment.json: \"snapshot\": \"" + s.id() + "\"");
                    printer.line("remove the setup machine with: nightshift env setup --rm " + setupId);
                }
                return NightshiftCli.OK;
            }
        }
    }
}
