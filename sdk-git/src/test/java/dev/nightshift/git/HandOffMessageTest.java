package dev.nightshift.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The handoff commit's message is cleaned on the host the way {@code git stripspace} would. */
class HandOffMessageTest {

    @Test
    void cutsTrailingWhitespaceAndCollapsesBlankLines() {
        assertThat(HandOff.commitMessage("\n\n  Fix the parser  \r\n\r\n\n- first   \n\t\n- second\n\n"))
                .isEqualTo("  Fix the parser\n\n- first\n\n- second");
    }

    @Test
    void keepsAMessageThatIsAlreadyClean() {
        assertThat(HandOff.commitMessage("Add tests\n\nBody line")).isEqualTo("Add tests\n\nBody line");
    }

    @Test
    void fallsBackToTheDefaultWhenNothingIsLeft() {
        assertThat(HandOff.commitMessage(null)).isEqualTo(HandOff.DEFAULT_MESSAGE);
        assertThat(HandOff.commitMessage(" \n\t\r\n")).isEqualTo(HandOff.DEFAULT_MESSAGE);
    }
}
