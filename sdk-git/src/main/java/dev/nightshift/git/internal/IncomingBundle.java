package dev.nightshift.git.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectChecker;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PackParser;
import org.eclipse.jgit.transport.PackedObjectInfo;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;

/**
 * A v2 git bundle from a machine, taken into a mirror the way {@code git index-pack --strict}
 * takes a pack: the header is read strictly (v2 only, every line well formed), every
 * prerequisite must be a commit the mirror has, the pack is indexed with every object checked
 * ({@link ObjectChecker}; a thin pack is completed from the mirror, a corrupt or truncated one
 * refused), and every object it links to (a received commit's tree and parents, a received
 * tree's entries, a received tag's target) must then be in the mirror.
 *
 * <p>That closure check is what replaces the walk {@code git fetch} makes from the new tip down
 * to every ref: the mirror's own objects arrived complete (fetched with a connectivity check,
 * or taken in here), so a bundle whose objects all link to present objects adds a complete
 * history. The walk costs a pass over a whole tree of the boundary commit (10,000 entries in a
 * repository of 10,000 files) for what is usually a few objects. A bundle refused after its
 * pack was written leaves those objects unreferenced in the mirror, where nothing points at
 * them (JGit's gc drops them); a later bundle linking to one of them would be taken, and the
 * push that follows would stop at anything missing below it.
 *
 * <p>Thread-safety: stateless; the caller holds the mirror's lock. Lifecycle: static helpers.
 */
final class IncomingBundle {
    static final String SIGNATURE = "# v2 git bundle";
    private static final int MAX_LINE = 1 << 16;

    private IncomingBundle() {
    }

    /** Why a bundle was refused: the message says what is wrong with it. */
    static final class Invalid extends IOException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }

        Invalid(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Takes {@code file} into {@code repo}; returns the commit the bundle names for {@code ref}.
     *
     * @throws Invalid when the bundle is malformed, needs what the mirror lacks, or links to
     *     objects that are nowhere
     */
    static ObjectId take(Repository repo, Path file, String ref) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            String signature = line(in);
            if (!SIGNATURE.equals(signature)) {
                throw new Invalid("not a v2 git bundle (it starts with '" + printable(signature) + "')");
            }
            List<ObjectId> prerequisites = new ArrayList<>();
            Map<String, ObjectId> refs = new LinkedHashMap<>();
            for (String l = line(in); !l.isEmpty(); l = line(in)) {
                if (l.startsWith("-")) {
                    prerequisites.add(id(l.substring(1), l));
                } else {
                    int sp = l.indexOf(' ');
                    if (sp != Constants.OBJECT_ID_STRING_LENGTH || l.length() == sp + 1) {
                        throw new Invalid("malformed header line '" + printable(l) + "'");
                    }
                    refs.put(l.substring(sp + 1), id(l.substring(0, sp), l));
                }
            }
            ObjectId tip = refs.get(ref);
            if (tip == null) {
                throw new Invalid("it holds no " + ref + (refs.isEmpty() ? "" : " (it holds " + refs.keySet() + ")"));
            }
            try (RevWalk walk = new RevWalk(repo)) {
                for (ObjectId p : prerequisites) {
                    try {
                        walk.parseCommit(p);
                    } catch (MissingObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
                        throw new Invalid("it needs commit " + p.name() + ", which the host mirror lacks", e);
                    }
                }
            }
            List<PackedObjectInfo> received;
            // the object database's own inserter: JGit's parser, which completes thin packs and lists what it took
            try (ObjectInserter ins = repo.getObjectDatabase().newInserter()) {
                PackParser parser = ins.newPackParser(in);
                parser.setAllowThin(true);
                parser.setObjectChecker(new ObjectChecker());
                parser.setCheckEofAfterPackFooter(true);
                try {
                    parser.parse(NullProgressMonitor.INSTANCE);
                } catch (IOException e) {
                    throw new Invalid("its pack is unusable: " + e.getMessage(), e);
                }
                received = parser.getSortedObjectList(null);
                ins.flush();
            }
            checkLinks(repo, received, tip);
            return tip;
        }
    }

    /** Every object the received ones link to is present, and the tip is a commit. */
    private static void checkLinks(Repository repo, List<PackedObjectInfo> received, ObjectId tip) throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            ObjectReader reader = walk.getObjectReader();
            try {
                walk.parseCommit(tip);
            } catch (MissingObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
                throw new Invalid("its tip " + tip.name() + " is not a commit it or the host mirror holds", e);
            }
            CanonicalTreeParser tree = new CanonicalTreeParser();
            for (PackedObjectInfo info : received) {
                RevObject o = walk.parseAny(info);
                switch (o.getType()) {
                    case Constants.OBJ_COMMIT -> {
                        RevCommit c = (RevCommit) o;
                        need(reader, c, c.getTree());
                        for (RevCommit parent : c.getParents()) {
                            need(reader, c, parent);
                        }
                    }
                    case Constants.OBJ_TREE -> {
                        tree.reset(reader.open(o, Constants.OBJ_TREE).getCachedBytes());
                        for (; !tree.eof(); tree.next()) {
                            if (tree.getEntryFileMode() != FileMode.GITLINK) {
                                need(reader, o, tree.getEntryObjectId());
                            }
                        }
                    }
                    case Constants.OBJ_TAG -> need(reader, o, ((RevTag) o).getObject());
                    default -> {
                        // a blob links to nothing
                    }
                }
            }
        }
    }

    private static void need(ObjectReader reader, ObjectId from, ObjectId to) throws IOException {
        if (!reader.has(to)) {
            throw new Invalid("object " + from.name() + " links to " + to.name()
                    + ", which neither the bundle nor the host mirror holds");
        }
    }

    private static ObjectId id(String hex, String line) throws Invalid {
        String h = hex.length() > Constants.OBJECT_ID_STRING_LENGTH
                && hex.charAt(Constants.OBJECT_ID_STRING_LENGTH) == ' '
                ? hex.substring(0, Constants.OBJECT_ID_STRING_LENGTH) : hex;
        if (!h.matches("[0-9a-f]{40}")) {
            throw new Invalid("malformed header line '" + printable(line) + "'");
        }
        return ObjectId.fromString(h);
    }

    /** One header line without its LF; the header must end before the stream does. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new Invalid("its header ends early");
            }
            if (b.size() >= MAX_LINE) {
                throw new Invalid("a header line is longer than " + MAX_LINE + " bytes");
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static String printable(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return t.replaceAll("[\\p{Cntrl}]", "?");
    }
}
