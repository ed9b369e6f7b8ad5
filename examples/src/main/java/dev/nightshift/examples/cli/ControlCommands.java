package dev.nightshift.examples.cli;

import dev.nightshift.api.Agent;
import dev.nightshift.api.TakeOver;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.runtime.TerminalInfo;
import dev.nightshift.api.spec.EgressHost;
import dev.nightshift.api.spec.EgressMode;
import dev.nightshift.core.Nightshift;
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
 * The commands of {@link NightshiftCli} that control an agent or the state directory rather than
 * start or watch one: take over and hand back, stop, change egress, delete, and gc.
 *
 * <p><b>Thread-safety:</b> a program. <b>Lifecycle:</b> one command per process.
 */
final class ControlCommands {
    private ControlCommands() {
    }

    @Command(name = "takeover", description = "Take the machine over: the driver pauses; prints (or runs) the attach"
            + " command, which lands in a login shell in /workspace, in a window named for you.")
    static final class TakeOverCmd implements Callable<Integer> {
        @ParentCommand NightshiftCli cli;

        @Parameters(paramLabel = "AGENT_ID")
        String id;

        @Option(names = "--no-attach", description = "Only print the attach command, even on a terminal.")
        boolean noAttach;

        @Option(names = "--as", paramLabel = "NAME", description = "Name of your shell window (default: your user name).")
        String person;

        @Option(names = "--handback-on-detach", description = "Hand the agent back when you detach (Ctrl-b d).")
        boolean handBackOnDetach;

        @Override
        public Integer call() throws Exception {
            cli.localOnly("takeover");
            try (Nightshift engine = cli.engine()) {
                Agent agent = engine.agent(id);
                TakeOver t = person != null ? agent.takeOver(person) : agent.takeOver();
                String line = t.attach().commandLine();
                if (cli.json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("agentId", id);
                    m.put("machineId", t.attach().machineId());
                    m.put("window", t.attach().window());
                    m.put("attach", t.attach().command());
                    m.put("terminals", t.terminals().stream().map(TerminalInfo::name).toList());
                    cli.printer().object(m);
                } else {
                    cli.printer().line("taken over " + id + "; the driver waits at its next checkpoint");
                    cli.printer().line("attach: " + line);
                    cli.printer().line("  (a login shell in " + t.session().workspace() + ", window '"
                            + t.attach().window() + "')");
                    for (TerminalInfo terminal : t.terminals()) {
                        cli.printer().line("terminal window '" + terminal.name() + "': " + terminal.command()
                                + (terminal.running() ? "" : " (ended)"));
                    }
                    cli.printer().line("hand back: nightshift handback " + id);
                }
                if (!noAttach && !cli.json && System.console() != null) {
                    cli.printer().line("attaching (detach with Ctrl-b d" + (handBackOnDetach ? ", which hands back)"
                            : "; then 'nightshift handback " + id + "')"));
                    int code = new ProcessBuilder(t.attach().command()).inheritIO().start().waitFor();
                    if (handBackOnDetach) {
                        agent.handBack();
                        cli.printer().line("handed back " + id);
                    }
                    return code;
                }
                return NightshiftCli.OK;
            }
        }
    }

    @Command(name = "handback", description = "Hand a taken-over agent back to its driver.")
    static final class HandBack extends AgentCommands.OnAgent {
        @Override
        int run(Agent agent) {
            agent.handBack();
            cli.printer().line("handed back " + id);
            return NightshiftCli.OK;
        }
    }

    @Command(name = "stop", description = "Stop an agent (keeps its machine state, branch and records).")
    static final class Stop extends AgentCommands.OnAgent {
        @Override
        int run(Agent agent) {
            agent.stop();
            cli.printer().agent(agent.awaitStatus(AgentCommands.IDLE, Duration.ofMinutes(5)));
            return NightshiftCli.OK;
        }

        @Override
        int runOnServer(ServerClient server) {
            server.stop(id);
            AgentCommands.printServerAgent(cli, AgentCommands.awaitIdleOnServer(server, id, Duration.ofMinutes(5)));
            return NightshiftCli.OK;
        }
    }

    @Command(name = "egress", description = {"Change where an agent's machines may connect: its running machine"
            + " follows from its next connection, and the machines it gets later (after a hibernation) keep it.",
            "Examples: nightshift egress AGENT_ID --allow registry.npmjs.org --allow '*.example.com';"
            + " nightshift egress AGENT_ID --mode default_with_network_settings --allow api.example.com;"
            + " nightshift egress AGENT_ID --mode network_settings_only (nothing at all)."})
    static final class EgressCmd extends AgentCommands.OnAgent {
        @Option(names = "--allow", paramLabel = "HOST", split = ",",
                description = "A host the agent may reach (repeatable, or comma-separated): a name, *.domain (the domain"
                        + " and every name under it) or an IPv4 address; no scheme, port or path.")
        List<String> allow = new ArrayList<>();

        @Option(names = "--mode", paramLabel = "MODE",
                description = "network_settings_only (the default: only the --allow hosts; without any, nothing) or"
                        + " default_with_network_settings (the default list of package registries and git hosts"
                        + " plus the --allow hosts). allow_all is refused: a restricted machine has no route out.")
        String mode;

        /** The policy the options name; bad input is a usage or validation error, never a wider policy. */
        EgressPolicy policy() {
            if (mode == null && allow.isEmpty()) {
                throw new CliException.Usage("say what the agent may reach: --allow HOST (repeatable) and/or --mode"
                        + " network_settings_only|default_with_network_settings");
            }
            List<EgressHost> hosts = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (String entry : allow) {
                String e = entry.strip();
                EgressHost.problem(e).ifPresentOrElse(p -> problems.add("--allow '" + e + "': " + p),
                        () -> hosts.add(EgressHost.parse(e)));
            }
            EgressPolicy policy;
            try {
                policy = EgressPolicy.forAgent(EgressMode.of(mode == null ? "network_settings_only" : mode), hosts);
            } catch (IllegalArgumentException e) {
                throw new CliException.Usage("--mode " + e.getMessage());
            }
            if (!problems.isEmpty()) {
                throw new CliException.Invalid(String.join("; ", problems));
            }
            return policy;
        }

        @Override
        void check() {
            policy();
        }

        @Override
        int run(Agent agent) {
            EgressPolicy p = policy();
            agent.updateEgress(p);
            cli.printer().line("network policy of " + id + ": " + (p.hosts().isEmpty() ? "nothing allowed"
                    : "only " + String.join(" ", p.hosts().stream().map(EgressHost::toString).toList())));
            return NightshiftCli.OK;
        }
    }

    @Command(name = "delete", description = "Delete an agent: machine, snapshots it owns, records and logs.")
    static final class Delete extends AgentCommands.OnAgent {
        @Override
        int run(Agent agent) {
            agent.delete();
            cli.printer().line("deleted " + id);
            return NightshiftCli.OK;
        }

        @Override
        int runOnServer(ServerClient server) {
            server.delete(id);
            cli.printer().line("deleted " + id);
            return NightshiftCli.OK;
        }
    }

    @Command(name = "gc", description = "Sweep leftovers: machines, snapshots and images nothing references (also those of"
            + " state directories that no longer exist), expired agents.")
    static final class Gc implements Callable<Integer> {
        @ParentCommand NightshiftCli cli;

        @Override
        public Integer call() {
            try (Nightshift engine = cli.engine()) {
                Nightshift.GcReport r = engine.gc();
                if (cli.json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("machinesRemoved", r.machinesRemoved());
                    m.put("snapshotsRemoved", r.snapshotsRemoved());
                    m.put("agentsExpired", r.agentsExpired());
                    m.put("imagesRemoved", r.imagesRemoved());
                    cli.printer().object(m);
                } else {
                    cli.printer().line("removed " + r.machinesRemoved() + " machines, " + r.snapshotsRemoved()
                            + " snapshots, " + r.imagesRemoved() + " images; expired " + r.agentsExpired() + " agents");
                }
                return NightshiftCli.OK;
            }
        }
    }
}
