package dev.nightshift.git;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.common.FileTrees;
import dev.nightshift.git.internal.CommitTree;
import dev.nightshift.git.internal.InMachine;
import dev.nightshift.git.internal.Remote;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.submodule.SubmoduleWalk;
import org.eclipse.jgit.transport.BundleWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moving a commit from the host mirror into a machine's workspace (see {@link GitHost#moveIn}).
 *
 * <p>Thread-safety: stateless; concurrent calls meet only in the mirror, which locks its writes.
 * Lifecycle: static helpers.
 */
final class MoveIn {
    private static final Logger LOG = LoggerFactory.getLogger(MoveIn.class);
    /** Bundles up to this size travel as the command's standard input (one round trip less). */
    static final long STDIN_LIMIT = 64L << 20;
    /** Submodules inside submodules: deeper than this is refused (a cycle would never end). */
    static final int MAX_SUBMODULE_DEPTH = 8;

    private MoveIn() {
    }

    static void run(GitHost host, Machine machine, Remote remote, String commit, String branch, String workspace,
            String user) {
        run(host, machine, remote, commit, branch, workspace, user, 0);
    }

    private static void run(GitHost host, Machine machine, Remote remote, String commit, String branch,
            String workspace, String user, int depth) {
        if (depth > MAX_SUBMODULE_DEPTH) {
            throw new dev.nightshift.api.ValidationException("submodules of " + remote + " nest deeper than "
                    + MAX_SUBMODULE_DEPTH + " levels at " + workspace + " (a cycle?)");
        }
        String ws = machineDirectory(workspace);
        String u = user != null ? user : machine.user();
        Repository repo = host.mirrors().repository(remote);
        InMachine im = host.inMachine(machine);
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit target = parse(walk, remote, commit);
            long t0 = System.nanoTime();
            Applied applied = null;
            ObjectId last = host.movedIn().last(machine, remote, ws, u);
            if (last != null) {
                applied = known(host, remote, repo, walk, target, last, branch, ws, u, im);
                if (applied == null) {
                    LOG.debug("{}:{} no longer holds {} as this host left it; inspecting it", machine.id(), ws, last.name());
                    host.movedIn().record(machine, remote, ws, u, null);
                }
            }
            if (applied == null) {
                applied = inspected(host, machine, remote, repo, walk, target, branch, ws, u, im);
            }
            LOG.debug("move in of {}: {} ms ({})", target.name(), (System.nanoTime() - t0) / 1_000_000, applied.how());
            List<String> out = applied.out();
            if (out.isEmpty() || !out.get(out.size() - 1).equals(target.name())) {
                host.movedIn().record(machine, remote, ws, u, null);
                throw new NightshiftException("after checkout, " + ws + " in machine " + machine.id()
                        + " is not at " + target.name() + ": " + out);
            }
            host.movedIn().record(machine, remote, ws, u, target);
            if (branch != null) {
                host.mirrors().setRef(remote, GitHost.BASE + branch, target);
            }
            LOG.info("moved {} of {} into {}:{} on {} ({} bytes of bundle)", target.name(), remote, machine.id(), ws,
                    branch == null ? "a detached HEAD" : branch, applied.bytes());
            submodules(host, machine, remote, repo, target, ws, u, im, depth);
        } catch (IOException e) {
            throw new NightshiftException("moving " + commit + " of " + remote + " into machine " + machine.id()
                    + " failed: " + e.getMessage(), e);
        }
    }

    /** Passes bytes on up to {@code limit}, then throws {@link Exceeded}. */
    private static final class LimitedOutputStream extends java.io.FilterOutputStream {
        private final long limit;
        private long written;

        /** More bytes than the limit. */
        static final class Exceeded extends IOException {
            private static final long serialVersionUID = 1L;

            Exceeded(long limit) {
                super("more than " + limit + " bytes");
            }
        }

        LimitedOutputStream(OutputStream out, long limit) {
            super(out);
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            count(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count(len);
            out.write(b, off, len);
        }

        private void count(int n) throws Exceeded {
            written += n;
            if (written > limit) {
                throw new Exceeded(limit);
            }
        }
    }

    /** What {@link InMachine#APPLY} printed, how many bytes it was sent, and by which path (for the log). */
    private record Applied(List<String> out, long bytes, String how) {
    }

    /**
     * Into a workspace this host moved {@code last} into: one exec, with a bundle thin against
     * {@code last} (none when it is the target); {@code null} when the machine no longer holds
     * what that assumes (see {@link InMachine#APPLY}'s {@code known} modes) or the bundle is too
     * big for standard input.
     */
    private static Applied known(GitHost host, Remote remote, Repository repo, RevWalk walk, RevCommit target,
            ObjectId last, String branch, String ws, String u, InMachine im) throws IOException {
        byte[] stdin = null;
        String mode = "known";
        if (!target.equals(last)) {
            RevCommit base;
            try {
                base = walk.parseCommit(last);
            } catch (org.eclipse.jgit.errors.MissingObjectException
                    | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
                return null;
            }
            BundleWriter writer = new BundleWriter(repo);
            writer.include(GitHost.IN, target);
            writer.assume(base);
            java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
            try (OutputStream out = new LimitedOutputStream(buffer, STDIN_LIMIT)) {
                writer.writeBundle(NullProgressMonitor.INSTANCE, out);
            } catch (LimitedOutputStream.Exceeded e) {
                return null;
            }
            stdin = buffer.toByteArray();
            mode = "known-";
        }
        List<String> out = im.runUnlessStale("checking out " + target.name() + " in " + ws, u, stdin,
                InMachine.APPLY, ws, mode, target.name(), branch == null ? "" : branch, host.config().authorName(),
                host.config().authorEmail(), remote.url());
        return out == null ? null : new Applied(out, stdin == null ? 0 : stdin.length,
                stdin == null ? "already there" : "thin against " + last.name() + ", one exec");
    }

    /** Into any workspace: asks the machine what it holds ({@link InMachine#STATE}), then sends what it lacks. */
    private static Applied inspected(GitHost host, Machine machine, Remote remote, Repository repo, RevWalk walk,
            RevCommit target, String branch, String ws, String u, InMachine im) throws IOException {
        long t0 = System.nanoTime();
        List<String> state = im.run("inspecting " + ws, "root", InMachine.STATE, ws, u, target.name());
        long t1 = System.nanoTime();
        String bundle = "";
        byte[] stdin = null;
        long bytes = 0;
        String[] packArgs = {};
        List<RevCommit> haves = new ArrayList<>();
        if (!state.contains("HAVE")) {
            for (String line : state) {
                if (line.matches("[0-9a-f]{40}")) {
                    ObjectId id = ObjectId.fromString(line);
                    if (repo.getObjectDatabase().has(id)) {
                        try {
                            haves.add(walk.parseCommit(id));
                        } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
                            // not a commit: nothing to assume
                        }
                    }
                }
            }
            Path dir = Files.createTempDirectory("nightshift-bundle-");
            try {
                Path file = dir.resolve("in.bundle");
                String[] pack = haves.isEmpty() ? wholePack(host, remote, repo, file) : null;
                if (pack != null) {
                    packArgs = pack;
                } else if (!(haves.isEmpty() && wholePackBundle(host, remote, repo, target, file))) {
                    BundleWriter writer = new BundleWriter(repo);
                    writer.include(GitHost.IN, target);
                    haves.forEach(writer::assume);
                    try (OutputStream out = Files.newOutputStream(file)) {
                        writer.writeBundle(NullProgressMonitor.INSTANCE, out);
                    }
                }
                bytes = Files.size(file);
                if (packArgs.length > 0) {
                    stdin = Files.readAllBytes(file);
                    bundle = "pack";
                } else if (bytes <= STDIN_LIMIT) {
                    stdin = Files.readAllBytes(file);
                    bundle = "-";
                } else {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
                    String machineDir = "/tmp/nightshift-git-" + UUID.randomUUID();
                    im.machine().copyIn(file, machineDir);
                    bundle = machineDir + "/" + file.getFileName();
                }
            } finally {
                deleteTree(dir);
            }
        }
        long t2 = System.nanoTime();
        List<String> args = new ArrayList<>(List.of(ws, bundle, target.name(), branch == null ? "" : branch,
                host.config().authorName(), host.config().authorEmail(), remote.url()));
        args.addAll(List.of(packArgs));
        List<String> out = im.runWithInput("checking out " + target.name() + " in " + ws, u, stdin,
                InMachine.APPLY, args.toArray(String[]::new));
        long t3 = System.nanoTime();
        String how = (state.contains("HAVE") ? "already there" : bundle.equals("pack") ? "the mirror's pack"
                : haves.isEmpty() ? "whole bundle" : "thin against " + haves.size() + " commits")
                + "; inspect " + (t1 - t0) / 1_000_000 + " ms, bundle " + (t2 - t1) / 1_000_000 + " ms, checkout "
                + (t3 - t2) / 1_000_000 + " ms";
        return new Applied(out, bytes, how);
    }

    /**
     * For a machine that has nothing yet: when the mirror is one complete pack (a fresh clone, or
     * just repacked) of at most {@link #STDIN_LIMIT} bytes, writes that pack followed by its index
     * into {@code file}, as they are: the machine stores both without indexing the pack again (the
     * host indexed it, checking every object's id, when it fetched). Extra objects (other
     * branches) cost transfer only.
     *
     * @return the arguments of {@link InMachine#APPLY}'s {@code pack} mode (index size, pack
     *     name), or {@code null} when the mirror is not a single pack or too big
     */
    static String[] wholePack(GitHost host, Remote remote, Repository repo, Path file) {
        Path objects = repo.getDirectory().toPath().resolve("objects");
        return host.mirrors().locked(remote, () -> {
            Path pack = singlePack(objects);
            if (pack == null) {
                return null;
            }
            String name = pack.getFileName().toString();
            String hex = name.substring("pack-".length(), name.length() - ".pack".length());
            Path idx = pack.resolveSibling("pack-" + hex + ".idx");
            if (!hex.matches("[0-9a-f]{40}") || !Files.isRegularFile(idx)
                    || Files.size(pack) + Files.size(idx) > STDIN_LIMIT) {
                return null;
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                Files.copy(pack, out);
                Files.copy(idx, out);
            }
            return new String[] {Long.toString(Files.size(idx)), hex};
        });
    }

    /** The mirror's only pack, or {@code null} when it has loose objects, several packs or alternates. */
    private static Path singlePack(Path objects) throws IOException {
        try (var entries = Files.list(objects)) {
            if (entries.anyMatch(p -> !p.getFileName().toString().equals("pack")
                    && !p.getFileName().toString().equals("info"))) {
                return null;
            }
        }
        List<Path> packs;
        try (var entries = Files.list(objects.resolve("pack"))) {
            packs = entries.filter(p -> p.getFileName().toString().endsWith(".pack")).toList();
        }
        if (packs.size() != 1 || Files.exists(objects.resolve("info/alternates"))) {
            return null;
        }
        return packs.get(0);
    }

    /**
     * For a machine that has nothing yet: when the mirror is one complete pack (a fresh clone, or
     * just repacked), the bundle is that pack as it is behind a v2 header naming the target: no
     * object walk. Extra objects (other branches) cost transfer only. False when the mirror is not
     * a single pack.
     */
    static boolean wholePackBundle(GitHost host, Remote remote, Repository repo, RevCommit target, Path file) {
        Path objects = repo.getDirectory().toPath().resolve("objects");
        return host.mirrors().locked(remote, () -> {
            Path pack = singlePack(objects);
            if (pack == null) {
                return false;
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(("# v2 git bundle\n" + target.name() + " " + GitHost.IN + "\n\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                Files.copy(pack, out);
            }
            return true;
        });
    }

    private static void submodules(GitHost host, Machine machine, Remote remote, Repository repo, RevCommit target,
            String ws, String user, InMachine im, int depth) throws IOException {
        if (new CommitTree(repo, target, target.getTree()).entry(".gitmodules").isEmpty()) {
            return;
        }
        try (SubmoduleWalk walk = new SubmoduleWalk(repo)) {
            walk.setTree(target.getTree());
            walk.setRootTree(target.getTree());
            walk.loadModulesConfig();
            while (walk.next()) {
                String path = CommitTree.normalise(walk.getPath());
                String url = walk.getModulesUrl();
                String name = walk.getModuleName();
                if (url == null || name == null || !name.matches("[A-Za-z0-9._/-]+")) {
                    LOG.warn("submodule at {} of {} has no usable URL or name in .gitmodules; left empty", path, remote);
                    continue;
                }
                Remote sub = remote.resolve(url);
                ObjectId id = walk.getObjectId();
                host.mirrors().fetch(sub);
                Repository subRepo = host.mirrors().repository(sub);
                if (!subRepo.getObjectDatabase().has(id) && !host.mirrors().fetchCommit(sub, id)) {
                    throw new NotFoundException("submodule " + path + " of " + remote + " needs commit " + id.name()
                            + ", which " + sub + " does not have");
                }
                run(host, machine, sub, id.name(), null, ws + "/" + path, user, depth + 1);
                im.run("registering submodule " + path, user, InMachine.SUBMODULE, ws, name, sub.url());
            }
        } catch (ConfigInvalidException e) {
            throw new NightshiftException(".gitmodules of " + remote + " at " + target.name() + " is invalid: "
                    + e.getMessage(), e);
        }
    }

    static RevCommit parse(RevWalk walk, Remote remote, String commit) throws IOException {
        if (commit == null || !commit.matches("[0-9a-fA-F]{40}")) {
            throw new ValidationException("commit '" + GitHost.printable(commit) + "' is not a full commit id");
        }
        try {
            return walk.parseCommit(ObjectId.fromString(commit.toLowerCase(java.util.Locale.ROOT)));
        } catch (org.eclipse.jgit.errors.MissingObjectException e) {
            throw new NotFoundException("commit " + commit + " is not in the mirror of " + remote + "; fetch it first", e);
        }
    }

    /** Checks a directory in the machine: absolute, normalised, printable. */
    static String machineDirectory(String dir) {
        if (dir == null || !dir.startsWith("/") || dir.chars().anyMatch(c -> c < 0x20 || c == 0x7f)
                || dir.contains("/../") || dir.endsWith("/..") || dir.contains("/./") || "/".equals(dir)) {
            throw new ValidationException("machine directory '" + GitHost.printable(dir)
                    + "' must be an absolute, normalised path below /");
        }
        return dir.replaceAll("/+$", "");
    }

    static void deleteTree(Path dir) {
        if (!FileTrees.deleteQuietly(dir)) {
            LOG.debug("could not remove {}", dir);
        }
    }
}
