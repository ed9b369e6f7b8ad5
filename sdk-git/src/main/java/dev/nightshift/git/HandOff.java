package dev.nightshift.git;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.PushRejectedException;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.git.internal.InMachine;
import dev.nightshift.git.internal.Remote;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handing an agent's branch back from a machine (see {@link GitHost#handOff}).
 *
 * <p>Thread-safety: stateless; concurrent calls meet only in the mirror, which locks its writes.
 * Lifecycle: static helpers.
 */
final class HandOff {
    private static final Logger LOG = LoggerFactory.getLogger(HandOff.class);
    static final String DEFAULT_MESSAGE = "Nightshift: work in progress";
    private static final int MAX_GUARDED_COMMITS = 10_000;

    private HandOff() {
    }

    static GitHost.Handoff run(GitHost host, Machine machine, Remote remote, String branch, String workspace,
            String user, String summary, boolean sweep, boolean push) {
        String ws = MoveIn.machineDirectory(workspace);
        String u = user != null ? user : machine.user();
        Repository repo = host.mirrors().repository(remote);
        InMachine im = host.inMachine(machine);
        try {
            ObjectId base = id(repo, GitHost.BASE + branch);
            ObjectId previous = id(repo, GitHost.HANDOFF + branch);
            ObjectId remoteTip = id(repo, Constants.R_HEADS + branch);
            Set<String> known = new LinkedHashSet<>();
            for (ObjectId id : new ObjectId[] {previous, remoteTip, base, id(repo, Constants.HEAD)}) {
                if (id != null) {
                    known.add(id.name());
                }
            }
            String message = commitMessage(summary);
            List<String> args = new ArrayList<>(List.of(ws, branch, message, host.config().authorName(),
                    host.config().authorEmail(), sweep ? "sweep" : "commits"));
            args.addAll(known);
            Path hostDir = Files.createTempDirectory("nightshift-handoff-");
            try {
                Path file = hostDir.resolve("handoff.bundle");
                long t0 = System.nanoTime();
                List<String> lines;
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
                    lines = im.runStreaming("handing off " + branch + " from " + ws, u, null, out, InMachine.HANDOFF,
                            args.toArray(String[]::new));
                }
                long t1 = System.nanoTime();
                String tipLine = lines.stream().filter(l -> l.startsWith("TIP ")).reduce((a, b) -> b)
                        .orElseThrow(() -> new NightshiftException("handoff of " + branch + " in machine "
                                + machine.id() + " reported no tip: " + lines));
                ObjectId tip = ObjectId.fromString(tipLine.substring(4).strip());
                if (lines.contains("BUNDLE")) {
                    receive(host, machine, remote, branch, file, tip);
                } else {
                    if (!repo.getObjectDatabase().has(tip)) {
                        throw new NightshiftException("handoff of " + branch + ": the host lacks " + tip.name()
                                + " although the machine sent no bundle");
                    }
                    host.mirrors().setRef(remote, GitHost.HANDOFF + branch, tip);
                }
                LOG.debug("handoff of {}: commit and bundle {} ms ({} bytes), verify {} ms", branch,
                        (t1 - t0) / 1_000_000, Files.size(file), (System.nanoTime() - t1) / 1_000_000);
                return finish(host, remote, repo, branch, tip, base, previous, remoteTip, push);
            } finally {
                MoveIn.deleteTree(hostDir);
            }
        } catch (IOException e) {
            throw new NightshiftException("handoff of " + branch + " from machine " + machine.id() + " failed: "
                    + e.getMessage(), e);
        }
    }

    private static GitHost.Handoff finish(GitHost host, Remote remote, Repository repo, String branch, ObjectId tip,
            ObjectId base, ObjectId previous, ObjectId remoteTip, boolean push) throws IOException {
        boolean changed = previous != null ? !previous.equals(tip) : !tip.equals(base);
        if (!push) {
            return new GitHost.Handoff(tip.name(), tip.equals(remoteTip), changed);
        }
        if (tip.equals(remoteTip)) {
            return new GitHost.Handoff(tip.name(), true, changed);
        }
        if (remoteTip == null && tip.equals(base)) {
            LOG.info("{} has no commits of its own; not pushed", branch);
            return new GitHost.Handoff(tip.name(), false, changed);
        }
        long t0 = System.nanoTime();
        OutgoingPush outgoing = outgoing(repo, remote, branch, tip);
        if (!host.config().pushGuard().allows(outgoing)) {
            String kept = preserve(host, remote, branch, tip);
            throw new PushRejectedException("push of " + branch + " (" + tip.name() + ") to " + remote
                    + " refused by the pre-push guard; nothing was sent, the commits are kept as " + kept,
                    branch, tip.name(), kept, PushRejectedException.RefusedBy.GUARD);
        }
        long t1 = System.nanoTime();
        RemoteRefUpdate update = host.mirrors().push(remote, GitHost.HANDOFF + branch, branch);
        LOG.debug("push of {}: outgoing diff and guard {} ms, push {} ms", branch, (t1 - t0) / 1_000_000,
                (System.nanoTime() - t1) / 1_000_000);
        switch (update.getStatus()) {
            case OK, UP_TO_DATE -> {
                host.mirrors().setRef(remote, Constants.R_HEADS + branch, tip);
                LOG.info("pushed {} to {} at {}", branch, remote, tip.name());
                return new GitHost.Handoff(tip.name(), true, changed);
            }
            default -> {
                String kept = preserve(host, remote, branch, tip);
                String why = update.getStatus() == RemoteRefUpdate.Status.REJECTED_NONFASTFORWARD
                        ? "not a fast-forward: the remote branch has commits the agent's branch lacks"
                        : update.getStatus() + (update.getMessage() == null ? ""
                                : " (" + Remote.redact(update.getMessage()) + ")");
                throw new PushRejectedException("push of " + branch + " to " + remote + " rejected: " + why
                        + "; nothing was forced, the agent's commits are kept in the host mirror as " + kept,
                        branch, tip.name(), kept);
            }
        }
    }

    private static void receive(GitHost host, Machine machine, Remote remote, String branch, Path file,
            ObjectId tip) {
        ObjectId got;
        try {
            got = host.mirrors().receiveBundle(remote, file, Constants.R_HEADS + branch, GitHost.HANDOFF + branch);
        } catch (IllegalArgumentException e) {
            throw new NightshiftException("the bundle of " + branch + " from machine " + machine.id()
                    + " failed verification: " + e.getMessage(), e);
        }
        if (!tip.equals(got)) {
            throw new NightshiftException("the bundle from machine " + machine.id() + " holds " + branch + " at "
                    + got.name() + ", not at the tip " + tip.name() + " git reported");
        }
    }

    /**
     * The handoff commit's message, cleaned the way {@code git stripspace} cleans one: trailing
     * whitespace cut from every line, runs of blank lines made one, none at either end
     * ({@link #DEFAULT_MESSAGE} when nothing is left).
     */
    static String commitMessage(String summary) {
        if (summary == null) {
            return DEFAULT_MESSAGE;
        }
        StringBuilder out = new StringBuilder();
        boolean blank = false;
        for (String line : summary.replace("\r\n", "\n").split("\n", -1)) {
            String l = line.stripTrailing();
            if (l.isEmpty()) {
                blank = out.length() > 0;
                continue;
            }
            if (blank) {
                out.append('\n');
                blank = false;
            }
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(l);
        }
        return out.length() == 0 ? DEFAULT_MESSAGE : out.toString();
    }

    /** Every commit the remote lacks (as far as the mirror knows), with messages and diffs. */
    static OutgoingPush outgoing(Repository repo, Remote remote, String branch, ObjectId tip) throws IOException {
        List<OutgoingPush.OutgoingCommit> commits = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo)) {
            walk.markStart(walk.parseCommit(tip));
            for (Ref r : repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
                walk.markUninteresting(walk.parseCommit(r.getObjectId()));
            }
            for (Ref r : repo.getRefDatabase().getRefsByPrefix(Constants.R_TAGS)) {
                try {
                    walk.markUninteresting(walk.parseCommit(r.getObjectId()));
                } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
                    // a tag of a tree or blob
                }
            }
            for (RevCommit c : walk) {
                if (commits.size() >= MAX_GUARDED_COMMITS) {
                    throw new NightshiftException("push of " + branch + " to " + remote + " holds more than "
                            + MAX_GUARDED_COMMITS + " new commits; refusing to push that much unguarded");
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                List<OutgoingPush.OutgoingFile> binaries = new ArrayList<>();
                try (DiffFormatter f = new DiffFormatter(out)) {
                    f.setRepository(repo);
                    List<DiffEntry> entries = f.scan(c.getParentCount() > 0 ? c.getParent(0).getTree() : null,
                            c.getTree());
                    f.format(entries);
                    for (DiffEntry e : entries) {
                        if (e.getChangeType() != DiffEntry.ChangeType.DELETE
                                && e.getNewMode().getObjectType() == Constants.OBJ_BLOB) {
                            ObjectId blob = e.getNewId().toObjectId();
                            ObjectLoader loader = repo.open(blob, Constants.OBJ_BLOB);
                            if (loader.getSize() > BIG_FILE || isBinary(loader)) {
                                binaries.add(new OutgoingPush.OutgoingFile(e.getNewPath(), loader.getSize(),
                                        () -> repo.open(blob, Constants.OBJ_BLOB).openStream()));
                            }
                        }
                    }
                }
                commits.add(new OutgoingPush.OutgoingCommit(c.name(), c.getFullMessage(),
                        out.toString(StandardCharsets.UTF_8), binaries));
            }
        }
        return new OutgoingPush(remote.key(), branch, tip.name(), commits);
    }

    /** Above this size {@link DiffFormatter} shows no text diff (JGit's big file threshold). */
    static final long BIG_FILE = 50L << 20;

    /** Whether a blob is binary the way the diff decides it: a NUL in its first 8000 bytes. */
    private static boolean isBinary(ObjectLoader loader) throws IOException {
        try (java.io.InputStream in = loader.openStream()) {
            return RawText.isBinary(in);
        }
    }

    private static String preserve(GitHost host, Remote remote, String branch, ObjectId tip) {
        String ref = GitHost.REJECTED + branch + "/" + System.currentTimeMillis() + "-" + tip.abbreviate(8).name();
        host.mirrors().setRef(remote, ref, tip);
        return ref;
    }

    private static ObjectId id(Repository repo, String ref) throws IOException {
        Ref r = repo.exactRef(ref);
        return r == null ? null : r.getObjectId();
    }
}
