package dev.nightshift.spec;

import dev.nightshift.api.spec.RepositoryTree;
import dev.nightshift.api.Problem;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command-line validator behind {@code scripts/validate-env}:
 * {@code ValidateEnv [--strict] [--repo DIR] FILE...}. Prints every problem as
 * {@code FILE:LINE:COL: error|warning: /pointer: message} and exits 0 when every file is valid
 * (warnings are printed), 1 when any file has an error, 2 for usage or I/O errors. With
 * {@code --repo}, build paths are checked against that directory (the Dockerfile must exist
 * and no path may leave it, also through a symbolic link); without it only their text is.
 *
 * <p><b>Thread-safety:</b> {@link #run} keeps no state between calls. <b>Lifecycle:</b> a
 * program; {@link #main} exits the JVM, {@link #run} does not.
 *
 * <pre>{@code
 * int status = ValidateEnv.run(new String[] {"--strict", ".cursor/environment.json"}, System.out, System.err);
 * }</pre>
 */
public final class ValidateEnv {
    static final String USAGE = "usage: validate-env [--strict] [--repo DIR] FILE...";

    private ValidateEnv() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the validator; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean strict = false;
        Path repo = null;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--strict" -> strict = true;
                case "--repo" -> {
                    if (i + 1 >= args.length) {
                        err.println("validate-env: --repo needs a directory");
                        err.println(USAGE);
                        return 2;
                    }
                    repo = Path.of(args[++i]);
                }
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    if (a.startsWith("-") && !a.equals("-")) {
                        err.println("validate-env: unknown option " + a);
                        err.println(USAGE);
                        return 2;
                    }
                    files.add(Path.of(a));
                }
            }
        }
        if (files.isEmpty()) {
            err.println(USAGE);
            return 2;
        }
        if (repo != null && !Files.isDirectory(repo)) {
            err.println("validate-env: --repo " + repo + " is not a directory");
            return 2;
        }
        RepositoryTree tree = repo == null ? null : DirectoryTree.of(repo);
        EnvironmentParser parser = EnvironmentParser.builder().strict(strict).build();
        int status = 0;
        for (Path f : files) {
            byte[] bytes;
            try {
                if (Files.size(f) > EnvironmentParser.MAX_BYTES) {
                    ParseResult big = parser.parse(f);
                    big.problems().forEach(out::println);
                    status = Math.max(status, 1);
                    continue;
                }
                bytes = Files.readAllBytes(f);
            } catch (IOException e) {
                err.println("validate-env: cannot read " + f + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()));
                status = 2;
                continue;
            }
            ParseResult r = parser.parse(f.toString(), bytes, tree);
            for (Problem p : r.problems()) {
                out.println(p);
            }
            if (!r.isValid()) {
                status = Math.max(status, 1);
            }
        }
        return status;
    }
}
