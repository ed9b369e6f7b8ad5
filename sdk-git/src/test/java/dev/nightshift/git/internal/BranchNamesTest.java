package dev.nightshift.git.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.ValidationException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BranchNamesTest {

    @Test
    void slugKeepsAFewMeaningfulAsciiWords() {
        assertThat(BranchNames.slug("Please fix the flaky login test in CI")).isEqualTo("fix-flaky-login-test-ci");
        assertThat(BranchNames.slug("Ünïcödé naïve café")).isEqualTo("unicode-naive-cafe");
        assertThat(BranchNames.slug("the a an")).as("only stop words: keep them").isEqualTo("the-a-an");
        assertThat(BranchNames.slug("!!! 🚀 …")).isEqualTo("task");
        assertThat(BranchNames.slug("")).isEqualTo("task");
        assertThat(BranchNames.slug(null)).isEqualTo("task");
        assertThat(BranchNames.slug("x".repeat(100))).hasSize(BranchNames.MAX_SLUG);
        assertThat(BranchNames.slug("refactor everything in the whole giant monorepo today")).hasSizeLessThanOrEqualTo(32);
    }

    @Test
    void candidatesAreValidAndAvoidTakenNames() {
        AtomicInteger n = new AtomicInteger(0xabc0);
        BranchNames names = new BranchNames("ns/agents", n::getAndIncrement);
        assertThat(names.candidate("Fix it")).isEqualTo("ns/agents/fix-abc0");
        String picked = names.unique("Fix it", Set.of("ns/agents/fix-abc1", "ns/agents/fix-abc2/deeper"), 5);
        assertThat(picked).isEqualTo("ns/agents/fix-abc3");
        assertThat(BranchNames.validate(picked)).isEqualTo(picked);
        assertThatThrownBy(() -> new BranchNames("ns", () -> 7).unique("x", Set.of("ns/x-0007"), 3))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void clashesCoverDirectoryConflicts() {
        assertThat(BranchNames.clashes("a/b", Set.of("a"))).isTrue();
        assertThat(BranchNames.clashes("a", Set.of("a/b"))).isTrue();
        assertThat(BranchNames.clashes("a/b", Set.of("a/bc", "ab"))).isFalse();
    }

    @Test
    void hostileNamesAreRefusedWithAPrintableMessage() {
        assertThatThrownBy(() -> BranchNames.validate("evil\u001b[31m"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("\\u001b")
                .hasMessageNotContaining("\u001b");
        assertThatThrownBy(() -> BranchNames.validate("-delete")).hasMessageContaining("'-'");
        assertThatThrownBy(() -> BranchNames.validate("x".repeat(300))).hasMessageContaining("longer");
        assertThatThrownBy(() -> new BranchNames("bad prefix", () -> 0)).isInstanceOf(ValidationException.class);
        assertThat(BranchNames.validate("feature/JIRA-12_fix.v2")).isEqualTo("feature/JIRA-12_fix.v2");
    }
}
