package dev.nightshift.git.internal;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The git commands Nightshift runs inside a machine, through {@link Machine#exec} only. Every
 * value travels as a positional argument of a fixed script, never spliced into shell text.
 * Nothing here knows a credential: the machine never sees one.
 *
 * <p>Thread-safety: thread-safe (stateless apart from its machine). Lifecycle: one per operation.
 */
public final class InMachine {

    /** As root: create the directory for the user; then report what the repository in it has. */
    public static final String STATE = String.join("\n",
            "set -eu",
            "ws=$1; u=$2; commit=$3",
            "mkdir -p \"$ws\"",
            "[ \"$(stat -c %U \"$ws\")\" = \"$u\" ] || chown -R \"$u\": \"$ws\"",
            "cd \"$ws\"",
            "g() { git -c safe.directory='*' \"$@\"; }",
            "if [ -d .git ] && g rev-parse -q --git-dir >/dev/null 2>&1; then",
            "  echo REPO",
            "  if g cat-file -e \"$commit^{commit}\" 2>/dev/null; then echo HAVE; fi",
            "  g for-each-ref --format='%(objectname)' refs/heads refs/nightshift refs/remotes | sort -u | head -n 200",
            "fi");

    /** As the user: fetch the bundle (if any), check out the commit on the branch, set identity and origin. */
    public static final String APPLY = String.join("\n",
            "set -eu",
            "ws=$1; bundle=$2; commit=$3; branch=$4; name=$5; email=$6; origin=$7",
            "cd \"$ws\"",
            "[ -d .git ] || git init -q",
            "if [ -n \"$bundle\" ]; then",
            "  git fetch -q --no-tags \"$bundle\" '+refs/nightshift/in:refs/nightshift/in'",
            "  rm -rf \"$(dirname \"$bundle\")\" 2>/dev/null || true",
            "fi",
            "if [ -n \"$branch\" ]; then git checkout -q -f -B \"$branch\" \"$commit\"; "
                    + "else git checkout -q -f --detach \"$commit\"; fi",
            "git config user.name \"$name\"",
            "git config user.email \"$email\"",
            "git config --unset-all credential.helper 2>/dev/null || true",
            "git remote remove origin 2>/dev/null || true",
            "if [ -n \"$origin\" ]; then git remote add origin \"$origin\"; fi",
            "git rev-parse HEAD");

    /** As the user: register submodules in the parent's config (URL without credentials). */
    public static final String SUBMODULE = String.join("\n",
            "set -eu",
            "cd \"$1\"",
            "git config \"submodule.$2.url\" \"$3\"",
            "git config \"submodule.$2.active\" true");

    /**
     * As the user: commit leftovers on the branch, then bundle (v2) what the host does not have.
     * Arguments after the sixth are commits the host has.
     */
    public static final String HANDOFF = String.join("\n",
            "set -eu",
            "ws=$1; branch=$2; summary=$3; name=$4; email=$5; out=$6; shift 6",
            "cd \"$ws\"",
            "cur=$(git symbolic-ref -q --short HEAD || true)",
            "if [ \"$cur\" != \"$branch\" ]; then",
            "  echo \"the workspace $ws is on '${cur:-a detached HEAD}', not on branch $branch;"
                    + " check out $branch and hand off again\" >&2",
            "  exit 3",
            "fi",
            "git add -A",
            "if ! git diff --cached --quiet; then",
            "  GIT_AUTHOR_NAME=\"$name\" GIT_AUTHOR_EMAIL=\"$email\" GIT_COMMITTER_NAME=\"$name\""
                    + " GIT_COMMITTER_EMAIL=\"$email\" git -c commit.gpgsign=false commit -q --no-verify -m \"$summary\"",
            "  echo COMMITTED",
            "fi",
            "tip=$(git rev-parse HEAD)",
            "echo \"TIP $tip\"",
            "ex=()",
            "for h in \"$@\"; do if git cat-file -e \"$h^{commit}\" 2>/dev/null; then ex+=(\"^$h\"); fi; done",
            "if [ \"$(git rev-list --count \"$tip\" \"${ex[@]}\")\" = 0 ]; then echo NOBUNDLE; exit 0; fi",
            "mkdir -p \"$(dirname \"$out\")\"",
            "git bundle create -q --version=2 \"$out\" \"refs/heads/$branch\" \"${ex[@]}\"",
            "echo BUNDLE");

    private final Machine machine;
    private final Duration timeout;

    public InMachine(Machine machine, Duration timeout) {
        this.machine = machine;
        this.timeout = timeout;
    }

    public Machine machine() {
        return machine;
    }

    /** Runs {@code script} with {@code args} as {@code user}; fails with the command's last lines. */
    public List<String> run(String what, String user, String script, String... args) {
        List<String> argv = new ArrayList<>(List.of("bash", "-c", script, "nightshift-git"));
        argv.addAll(List.of(args));
        ExecResult r = machine.exec(ExecRequest.builder(argv).user(user).timeout(timeout).build()).await();
        if (!r.isSuccess()) {
            throw new NightshiftException(what + " failed in machine " + machine.id() + " (exit " + r.exitCode()
                    + ", " + r.outcome() + "): " + String.join(" | ", r.lastLines(8)));
        }
        return r.stdoutTail().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
