package dev.nightshift.docker.internal;

import dev.nightshift.api.BuildFailedException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Refuses Dockerfiles that need BuildKit: docker-java talks to the engine's classic builder,
 * which would fail on them with an obscure parse error or, worse, misread them.
 *
 * <p>Thread-safety: stateless. Lifecycle: static methods.
 */
public final class DockerfileCheck {
    private static final Pattern SYNTAX = Pattern.compile("^#\\s*syntax\\s*=", Pattern.CASE_INSENSITIVE);
    private static final Pattern RUN_FLAG = Pattern.compile("^RUN\\s+--(mount|network|security)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern HEREDOC = Pattern.compile("^(RUN|COPY|ADD)\\b.*<<-?\\s*[\"']?[A-Za-z_]+[\"']?\\s*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern COPY_LINK = Pattern.compile("^(COPY|ADD)\\s+(--\\S+\\s+)*--(link|parents|exclude)\\b", Pattern.CASE_INSENSITIVE);

    private DockerfileCheck() {
    }

    /**
     * Throws a {@link BuildFailedException} naming the file and line when {@code text} uses
     * BuildKit-only syntax ({@code # syntax=}, {@code RUN --mount/--network/--security},
     * heredocs, {@code COPY --link/--parents/--exclude}).
     */
    public static void requireClassicBuilder(String text, String fileName) {
        String[] lines = text.split("\r?\n", -1);
        boolean leadingComments = true;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            String what = null;
            if (leadingComments && SYNTAX.matcher(line).find()) {
                what = "a '# syntax=' parser directive";
            } else if (RUN_FLAG.matcher(line).find()) {
                what = "'RUN --" + RUN_FLAG.matcher(line).results().findFirst().map(m -> m.group(1)).orElse("") + "'";
            } else if (COPY_LINK.matcher(line).find()) {
                what = "a BuildKit-only COPY/ADD flag";
            } else if (HEREDOC.matcher(line).find()) {
                what = "a heredoc";
            }
            if (what != null) {
                String msg = fileName + " line " + (i + 1) + ": uses " + what + ", which needs BuildKit; Nightshift builds"
                        + " with the Docker engine's classic builder (docker-java), which does not support it."
                        + " Rewrite the line without it (e.g. COPY the files and RUN the command), or build the image"
                        + " yourself and name it with \"image\" in environment.json";
                throw new BuildFailedException(msg, List.of(lines[i]));
            }
            if (!line.isEmpty() && !line.startsWith("#")) {
                leadingComments = false;
            }
        }
    }
}
