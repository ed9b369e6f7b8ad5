package dev.nightshift.git;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.runtime.Machine;
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

/** Moving a commit from the host mirror into a machine's workspace (see {@link GitHost#moveIn}). */
final class MoveIn {
    private static final Logger LOG = LoggerFactory.getLogger(MoveIn.class);

    private MoveIn() {
    }

    static void run(GitHost host, Machine machine, Remote remote, String commit, String branch, String workspace,
            String user) {
        String ws = machineDirectory(workspace);
        String u = user != null ? user : machine.user();
        Repository repo = host.mirrors().repository(remote);
        InMachine im = host.inMachine(machine);
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit target = parse(walk, remote, commit);
            List<String> state = im.run("inspecting " + ws, "root", InMachine.STATE, ws, u, target.name());
            String bundle = "";
            long bytes = 0;
            if (!state.contains("HAVE")) {
                List<RevCommit> haves = new ArrayList<>();
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
                    BundleWriter writer = new BundleWriter(repo);
                    writer.include(GitHost.IN, target);
                    haves.forEach(writer::assume);
                    try (OutputStream out = Files.newOutputStream(file)) {
                        writer.writeBundle(NullProgressMonitor.INSTANCE, out);
                    }
                    bytes = Files.size(file);
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
                    String machineDir = "/tmp/nightshift-git-" + UUID.randomUUID();
                    machine.copyIn(file, machineDir);
                    bundle = machineDir + "/" + file.getFileName();
                    LOG.debug("bundle of {} for {}: {} bytes, {} prerequisites", target.name(), remote, bytes, haves.size());
                } finally {
                    deleteTree(dir);
                }
            }
            List<String> out = im.run("checking out " + target.name() + " in " + ws, u, InMachine.APPLY, ws,
                    bundle, target.name(), branch == null ? "" : branch, host.config().authorName(),
                    host.config().authorEmail(), remote.url());
            if (out.isEmpty() || !out.get(out.size() - 1).equals(target.name())) {
                throw new NightshiftException("after checkout, " + ws + " in machine " + machine.id()
                        + " is not at " + target.name() + ": " + out);
            }
            if (branch != null) {
                host.mirrors().setRef(remote, GitHost.BASE + branch, target);
            }
            LOG.info("moved {} of {} into {}:{} on {} ({} bytes of bundle)", target.name(), remote, machine.id(), ws,
                    branch == null ? "a detached HEAD" : branch, bytes);
            submodules(host, machine, remote, repo, target, ws, u, im);
        } catch (IOException e) {
            throw new NightshiftException("moving " + commit + " of " + remote + " into machine " + machine.id()
                    + " failed: " + e.getMessage(), e);
        }
    }

    private static void submodules(GitHost host, Machine machine, Remote remote, Repository repo, RevCommit target,
            String ws, String user, InMachine im) throws IOException {
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
                run(host, machine, sub, id.name(), null, ws + "/" + path, user);
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
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debug("could not remove {}: {}", dir, e.toString());
        }
    }
}
