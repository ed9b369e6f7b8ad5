package dev.nightshift.spec.internal;

import dev.nightshift.api.spec.BuildSpec;
import dev.nightshift.api.spec.RepositoryTree;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The path rules of {@code build}: paths are relative to {@code .cursor/}; {@code .}, {@code ./}
 * and {@code ..} mean the repository root; {@code context} defaults to {@code .cursor}; the
 * Dockerfile is looked up relative to {@code .cursor/}, then relative to the context. A path that
 * is absolute or leaves the repository, also through a symbolic link, is an error. Without a
 * tree only the text of the paths is checked.
 *
 * <p>Thread-safety: stateless. Lifecycle: static.
 */
public final class BuildPathRules {
    /** The folder environment.json lives in, against which its paths are resolved. */
    public static final String BASE = ".cursor";
    private static final int MAX_LINKS = 40;

    private BuildPathRules() {
    }

    /** Repository-relative results; {@code dockerfile} is null for inline contents or when unknown. */
    public record Resolved(String dockerfile, String context) {
    }

    /**
     * Checks {@code build} (the object at {@code pointer}) and, with a tree, finds the Dockerfile.
     * Returns null when an error was added.
     */
    public static Resolved resolve(BuildSpec build, String pointer, RepositoryTree tree, Findings findings) {
        String context;
        if (build.context() == null) {
            context = BASE;
        } else {
            context = textual(build.context(), pointer + "/context", "context", findings);
            if (context == null) {
                return null;
            }
        }
        if (tree != null) {
            if (!insideThroughLinks(context, tree)) {
                findings.error(pointer + "/context", "build context '" + build.context()
                        + "' leaves the repository through a symbolic link", "use a path inside the repository");
                return null;
            }
            String realContext = real(context, tree);
            if (build.context() != null && !tree.isDirectory(realContext)) {
                findings.error(pointer + "/context", "build context '" + build.context() + "' ("
                        + display(context) + ") is not a directory in the repository", null);
                return null;
            }
            context = realContext;
        }
        if (build.dockerfile() == null) {
            return new Resolved(null, context);
        }
        String nextToSpec = textual(build.dockerfile(), pointer + "/dockerfile", "dockerfile", findings);
        if (nextToSpec == null) {
            return null;
        }
        if (tree == null) {
            return new Resolved(null, context);
        }
        String inContext = join(context, build.dockerfile());
        List<String> tried = new ArrayList<>();
        for (String candidate : inContext == null || inContext.equals(nextToSpec)
                ? List.of(nextToSpec) : List.of(nextToSpec, inContext)) {
            tried.add(display(candidate));
            if (!tree.exists(candidate)) {
                continue;
            }
            if (!insideThroughLinks(candidate, tree)) {
                findings.error(pointer + "/dockerfile", "dockerfile '" + build.dockerfile()
                        + "' leaves the repository through a symbolic link", "use a path inside the repository");
                return null;
            }
            String real = real(candidate, tree);
            if (tree.read(real).isPresent()) {
                return new Resolved(real, context);
            }
        }
        findings.error(pointer + "/dockerfile", "dockerfile '" + build.dockerfile() + "' not found (looked for "
                + String.join(" and ", tried) + ")", "paths in build are relative to .cursor/");
        return null;
    }

    /** The repository-relative form of {@code raw} written relative to .cursor/, or null after an error. */
    private static String textual(String raw, String pointer, String what, Findings findings) {
        if (raw.startsWith("/") || raw.startsWith("\\") || raw.startsWith("~") || raw.matches("^[A-Za-z]:.*")) {
            findings.error(pointer, what + " '" + raw + "' is an absolute path",
                    "write it relative to .cursor/ (\"..\" is the repository root)");
            return null;
        }
        if (raw.indexOf('\\') >= 0) {
            findings.error(pointer, what + " '" + raw + "' uses '\\'", "separate path segments with '/'");
            return null;
        }
        String p = isRootAlias(raw) ? "" : join(BASE, raw);
        if (p == null) {
            findings.error(pointer, what + " '" + raw + "' leaves the repository",
                    "paths are relative to .cursor/; \"..\" is the repository root");
            return null;
        }
        return p;
    }

    static boolean isRootAlias(String raw) {
        return raw.equals(".") || raw.equals("./") || raw.equals("..") || raw.equals("../");
    }

    /** {@code base/relative} normalised, or null when it climbs above the root. */
    static String join(String base, String relative) {
        Deque<String> parts = new ArrayDeque<>();
        for (String s : (base + "/" + relative).split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.removeLast();
            } else {
                parts.addLast(s);
            }
        }
        return String.join("/", parts);
    }

    /** Whether every link met on the way to {@code path} points inside the repository. */
    static boolean insideThroughLinks(String path, RepositoryTree tree) {
        return real(path, tree) != null;
    }

    /** {@code path} with every symbolic link on the way resolved, or null if one leaves the repository. */
    public static String realPath(String path, RepositoryTree tree) {
        return real(path, tree);
    }

    static String real(String path, RepositoryTree tree) {
        Deque<String> todo = new ArrayDeque<>(List.of(path.isEmpty() ? new String[0] : path.split("/")));
        Deque<String> done = new ArrayDeque<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String s = todo.removeFirst();
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (done.isEmpty()) {
                    return null;
                }
                done.removeLast();
                continue;
            }
            done.addLast(s);
            String current = String.join("/", done);
            if (!tree.isSymlink(current)) {
                continue;
            }
            if (++links > MAX_LINKS) {
                return null;
            }
            String target = tree.linkTarget(current).orElse("");
            if (target.startsWith("/") || target.contains("\\") || target.isEmpty()) {
                return null;
            }
            done.removeLast();
            List<String> segments = List.of(target.split("/"));
            for (int i = segments.size() - 1; i >= 0; i--) {
                todo.addFirst(segments.get(i));
            }
        }
        return String.join("/", done);
    }

    static String display(String repoRelative) {
        return repoRelative.isEmpty() ? "the repository root" : repoRelative;
    }
}
