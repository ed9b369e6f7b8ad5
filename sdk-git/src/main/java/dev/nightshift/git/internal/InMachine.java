package dev.nightshift.git.internal;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import java.io.IOException;
import java.io.OutputStream;
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

    /** The exit code of {@link #APPLY}'s {@code known} modes when the workspace is not what the host assumed. */
    public static final int STALE = 5;

    /**
     * As root: create the directory for the user; then, as the user (git never runs as root in a
     * repository the agent controls; one {@code runuser} for all of it), report what the
     * repository in it has: {@code HAVE} when it has the commit, else the commits its branches
     * point at.
     */
    public static final String STATE = String.join("\n",
            "set -eu",
            "ws=$1; u=$2; commit=$3",
            "mkdir -p \"$ws\"",
            "[ \"$(stat -c %U \"$ws\")\" = \"$u\" ] || chown -R \"$u\": \"$ws\"",
            "report='cd \"$1\" && [ -d .git ] || exit 0",
            "if git cat-file -e \"$2^{commit}\" 2>/dev/null; then echo HAVE; exit 0; fi",
            "git for-each-ref --format=\"%(objectname)\" refs/heads refs/nightshift refs/remotes | sort -u | head -n 200'",
            "if [ \"$(id -un)\" = \"$u\" ]; then exec bash -c \"$report\" state \"$ws\" \"$commit\"",
            "elif command -v runuser >/dev/null 2>&1; then exec runuser -u \"$u\" -- bash -c \"$report\" state \"$ws\" \"$commit\"",
            "else exec bash -c \"git() { command git -c safe.directory='*' \\\"\\$@\\\"; }; $report\" state \"$ws\" \"$commit\"; fi");

    /**
     * As the user: unbundle the bundle (if any; {@code -} means it arrives on standard input;
     * {@code git bundle unbundle} checks its prerequisites and indexes the pack, and skips the
     * connectivity walk of {@code git fetch}, which a bundle made by the host mirror does not
     * need), check out the commit on the branch (parallel checkout), set identity and origin.
     * {@code pack} instead of a bundle means standard input is the mirror's pack followed by its
     * index ({@code $8} bytes; {@code $9} the pack's name): both go into the object directory as
     * they are, so the machine does not index again what the host indexed when it fetched.
     * {@code known} and {@code known-} are for a workspace the host moved a commit into before,
     * without {@link #STATE} first: {@code known} when it holds the commit, {@code known-} with a
     * bundle on standard input that is thin against that commit. Either exits {@link #STALE} when
     * what the host assumed no longer holds (no repository there, the commit or the bundle's
     * prerequisites missing), before anything in the workspace changed.
     */
    public static final String APPLY = String.join("\n",
            "set -eu",
            "ws=$1; bundle=$2; commit=$3; branch=$4; name=$5; email=$6; origin=$7",
            "case $bundle in",
            "known|known-)",
            "  cd \"$ws\" 2>/dev/null && [ -d .git ] || exit " + STALE,
            "  if [ \"$bundle\" = known- ]; then",
            "    b=$(mktemp /tmp/nightshift-in-XXXXXXXX)",
            "    cat > \"$b\"",
            "    if ! git bundle unbundle \"$b\" >/dev/null 2>&1; then rm -f \"$b\"; exit " + STALE + "; fi",
            "    rm -f \"$b\"",
            "  else",
            "    git cat-file -e \"$commit^{commit}\" 2>/dev/null || exit " + STALE,
            "  fi",
            "  bundle=;;",
            "*)",
            "  cd \"$ws\"",
            "  [ -d .git ] || git init -q;;",
            "esac",
            "if [ \"$bundle\" = pack ]; then",
            "  idx=$8; pack=$9; d=$(git rev-parse --git-path objects/pack)",
            "  mkdir -p \"$d\"",
            "  t=$(mktemp \"$d/tmp_nightshift_XXXXXXXX\")",
            "  cat > \"$t\"",
            "  size=$(stat -c %s \"$t\")",
            "  if [ \"$size\" -le \"$idx\" ]; then rm -f \"$t\"; echo \"pack and index: only $size bytes\" >&2; exit 4; fi",
            "  tail -c \"$idx\" \"$t\" > \"$t.idx\"",
            "  truncate -s $((size - idx)) \"$t\"",
            "  chmod 444 \"$t\" \"$t.idx\"",
            "  mv -f \"$t.idx\" \"$d/pack-$pack.idx\"",
            "  mv -f \"$t\" \"$d/pack-$pack.pack\"",
            "elif [ \"$bundle\" = - ]; then",
            "  bundle=$(mktemp /tmp/nightshift-in-XXXXXXXX)",
            "  cat > \"$bundle\"",
            "  git bundle unbundle \"$bundle\" >/dev/null",
            "  rm -f \"$bundle\"",
            "elif [ -n \"$bundle\" ]; then",
            "  git bundle unbundle \"$bundle\" >/dev/null",
            "  rm -rf \"$(dirname \"$bundle\")\" 2>/dev/null || true",
            "fi",
            "git update-ref refs/nightshift/in \"$commit\"",
            "if [ -n \"$branch\" ]; then git -c checkout.workers=0 checkout -q -f -B \"$branch\" \"$commit\"; "
                    + "else git -c checkout.workers=0 checkout -q -f --detach \"$commit\"; fi",
            "have=(); nl=$'\\n'; origins=0",
            "while IFS= read -r -d '' kv; do have+=(\"$kv\"); case $kv in remote.origin.url$nl*) origins=$((origins + 1));;"
                    + " esac; done < <(git config -z --get-regexp"
                    + " '^(user\\.name|user\\.email|remote\\.origin\\.url|credential\\.helper)$' || true)",
            "has() { local kv; for kv in \"${have[@]}\"; do [ \"$kv\" = \"$1\" ] && return 0; done; return 1; }",
            "has \"user.name$nl$name\" || git config user.name \"$name\"",
            "has \"user.email$nl$email\" || git config user.email \"$email\"",
            "for kv in \"${have[@]}\"; do case $kv in credential.helper*) git config --unset-all credential.helper; break;;"
                    + " esac; done",
            "if [ -z \"$origin\" ] || [ \"$origins\" != 1 ] || ! has \"remote.origin.url$nl$origin\"; then",
            "  git remote remove origin 2>/dev/null || true",
            "  if [ -n \"$origin\" ]; then git remote add origin \"$origin\"; fi",
            "fi",
            "git rev-parse HEAD");

    /** As the user: register submodules in the parent's config (URL without credentials). */
    public static final String SUBMODULE = String.join("\n",
            "set -eu",
            "cd \"$1\"",
            "git config \"submodule.$2.url\" \"$3\"",
            "git config \"submodule.$2.active\" true");

    /**
     * As the user: commit leftovers on the branch (when the sixth argument is {@code sweep}; with
     * {@code commits} the work tree is not looked at), then bundle (v2) what the host does not have,
     * written to standard output; status lines go to standard error. Arguments after the sixth
     * are commits the host has. The commit is made with plumbing ({@code write-tree},
     * {@code commit-tree}, {@code update-ref} with the old value): no hook of the workspace runs
     * (not even {@code post-commit}), no signing, and no scan for untracked files after
     * {@code git add -A} has added them (which {@code git commit} repeats for its status). One
     * {@code rev-parse} reads the parent, its tree and the branch; no bundle is made when the tip
     * is a commit the host has, or lies behind one ({@code git bundle create} refuses an empty
     * bundle: {@code NOBUNDLE}); commits of the host the workspace lacks are skipped
     * ({@code --ignore-missing}).
     */
    public static final String HANDOFF = String.join("\n",
            "set -eu",
            "exec 3>&1 1>&2",
            "ws=$1; branch=$2; summary=$3; name=$4; email=$5; mode=$6; shift 6",
            "cd \"$ws\"",
            "parent=; ptree=; cur=",
            "if out=$(git rev-parse 'HEAD^{commit}' 'HEAD^{tree}' --symbolic-full-name HEAD 2>/dev/null); then",
            "  parent=${out%%$'\\n'*}; out=${out#*$'\\n'}; ptree=${out%%$'\\n'*}; cur=${out#*$'\\n'}",
            "else",
            "  cur=$(git symbolic-ref -q HEAD || true)",
            "fi",
            "if [ \"$cur\" != \"refs/heads/$branch\" ]; then",
            "  cur=${cur#refs/heads/}",
            "  [ \"$cur\" != HEAD ] || cur=",
            "  echo \"the workspace $ws is on '${cur:-a detached HEAD}', not on branch $branch;"
                    + " check out $branch and hand off again\" >&2",
            "  exit 3",
            "fi",
            "tip=$parent",
            "if [ \"$mode\" = commits ]; then",
            "  if [ -z \"$parent\" ]; then",
            "    echo \"the workspace $ws has no commit on $branch to hand off\" >&2",
            "    exit 3",
            "  fi",
            "  tree=$ptree",
            "else",
            "  git add -A",
            "  tree=$(git write-tree)",
            "fi",
            "if [ -z \"$parent\" ] && [ \"$tree\" = 4b825dc642cb6eb9a060e54bf8d69288fbee4904 ]; then",
            "  echo \"the workspace $ws has no commit and no file to hand off\" >&2",
            "  exit 3",
            "fi",
            "if [ \"$tree\" != \"$ptree\" ]; then",
            "  new=$(printf '%s\\n' \"$summary\" | GIT_AUTHOR_NAME=\"$name\" GIT_AUTHOR_EMAIL=\"$email\""
                    + " GIT_COMMITTER_NAME=\"$name\" GIT_COMMITTER_EMAIL=\"$email\" git commit-tree \"$tree\""
                    + " ${parent:+-p \"$parent\"} -F -)",
            "  git update-ref -m \"commit: handoff\" HEAD \"$new\" ${parent:-''}",
            "  tip=$new",
            "  echo COMMITTED",
            "fi",
            "echo \"TIP $tip\"",
            "for known in \"$@\"; do if [ \"$known\" = \"$tip\" ]; then echo NOBUNDLE; exit 0; fi; done",
            "ex=()",
            "for known in \"$@\"; do ex+=(\"^$known\"); done",
            "if ! err=$(LC_ALL=C git bundle create -q --version=2 - \"refs/heads/$branch\" --ignore-missing"
                    + " \"${ex[@]}\" 2>&1 >&3); then",
            "  case $err in *'Refusing to create empty bundle'*) echo NOBUNDLE; exit 0;; esac",
            "  printf '%s\\n' \"$err\" >&2",
            "  exit 1",
            "fi",
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

    /** Runs {@code script} with {@code args} as {@code user}; returns its stdout lines; fails with its last lines. */
    public List<String> run(String what, String user, String script, String... args) {
        return runWithInput(what, user, null, script, args);
    }

    /** As {@link #run}, with {@code stdin} (or {@code null}) as the command's standard input. */
    public List<String> runWithInput(String what, String user, byte[] stdin, String script, String... args) {
        ExecResult r = exec(what, user, stdin, null, false, script, args);
        return r.stdoutTail().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * As {@link #runWithInput}, but {@code null} when the script exits {@link #STALE}: what the
     * host assumed about the machine no longer holds, and it should look before it moves.
     */
    public List<String> runUnlessStale(String what, String user, byte[] stdin, String script, String... args) {
        ExecResult r = exec(what, user, stdin, null, true, script, args);
        return r == null ? null : r.stdoutTail().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * Runs {@code script} with {@code stdin} and its standard output streamed into {@code stdout};
     * returns its standard error lines (where such scripts report).
     */
    public List<String> runStreaming(String what, String user, byte[] stdin, OutputStream stdout, String script,
            String... args) {
        ExecResult r = exec(what, user, stdin, stdout, false, script, args);
        return r.stderrTail().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private ExecResult exec(String what, String user, byte[] stdin, OutputStream stdout, boolean staleIsNull,
            String script, String... args) {
        List<String> argv = new ArrayList<>(List.of("bash", "-c", script, "nightshift-git"));
        argv.addAll(List.of(args));
        ExecRequest.Builder b = ExecRequest.builder(argv).user(user).timeout(timeout).stdin(stdin);
        IOException[] failed = {null};
        if (stdout != null) {
            b.listener(new ExecListener() {
                @Override
                public void onStdout(byte[] bytes, int offset, int length) {
                    if (failed[0] == null) {
                        try {
                            stdout.write(bytes, offset, length);
                        } catch (IOException e) {
                            failed[0] = e;
                        }
                    }
                }
            }).tailBytes(ExecRequest.DEFAULT_TAIL_BYTES);
        }
        ExecResult r = machine.exec(b.build()).await();
        if (r.outcome() == ExecResult.Outcome.TIMED_OUT) {
            throw new NightshiftTimeoutException(what + " did not finish within " + timeout + " in machine "
                    + machine.id() + ": " + String.join(" | ", r.lastLines(8)));
        }
        if (staleIsNull && r.outcome() == ExecResult.Outcome.EXITED && r.exitCode() == STALE) {
            return null;
        }
        if (!r.isSuccess()) {
            throw new NightshiftException(what + " failed in machine " + machine.id() + " (exit " + r.exitCode()
                    + ", " + r.outcome() + "): " + String.join(" | ", r.lastLines(8)));
        }
        if (failed[0] != null) {
            throw new NightshiftException(what + ": cannot store the output of machine " + machine.id() + ": "
                    + failed[0].getMessage(), failed[0]);
        }
        return r;
    }
}
