package dev.nightshift.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spi.SecretKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SecretRulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"API_TOKEN", "_private", "a", "npm_token2", "X_NIGHTSHIFT_Y", "PATHS"})
    void acceptsPosixNames(String name) {
        assertThat(SecretRules.nameProblem(name)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1ABC", "A-B", "A B", "A=B", "ÄPI", "A.B", "a\nb"})
    void rejectsNonPosixNames(String name) {
        assertThat(SecretRules.nameProblem(name)).isNotNull();
        assertThatThrownBy(() -> SecretRules.checkName(name)).isInstanceOf(ValidationException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"NIGHTSHIFT_TOKEN", "nightshift_x", "BASH_FUNC_x", "PATH", "HOME"})
    void rejectsReservedNames(String name) {
        assertThat(SecretRules.nameProblem(name)).containsAnyOf("reserved", "set by every machine");
    }

    @Test
    void rejectsOverlongNames() {
        assertThat(SecretRules.nameProblem("A".repeat(SecretRules.MAX_NAME_LENGTH))).isNull();
        assertThat(SecretRules.nameProblem("A".repeat(SecretRules.MAX_NAME_LENGTH + 1))).contains("longer than");
    }

    @Test
    void boundsValuesWithoutPrintingThem() {
        String atLimit = "é".repeat(SecretRules.MAX_VALUE_BYTES / 2);
        assertThatCode(() -> SecretRules.check("BIG", SecretKind.RUNTIME, atLimit)).doesNotThrowAnyException();
        String over = atLimit + "x";
        assertThatThrownBy(() -> SecretRules.check("BIG", SecretKind.RUNTIME, over))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("BIG").hasMessageContaining(Integer.toString(SecretRules.MAX_VALUE_BYTES))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("éé"));
        assertThatThrownBy(() -> SecretRules.check("NUL", SecretKind.ENV, "ab\0cd"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("NUL");
    }

    @Test
    void redactedSecretsNeedAMinimumLengthPlainOnesDoNot() {
        assertThatThrownBy(() -> SecretRules.check("PIN", SecretKind.RUNTIME, "1234567"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("at least 8")
                .hasMessageContaining("kind ENV")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("1234567"));
        assertThatThrownBy(() -> SecretRules.check("PIN", SecretKind.BUILD, "1234567"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("at least 8");
        assertThatCode(() -> SecretRules.check("PIN", SecretKind.RUNTIME, "12345678")).doesNotThrowAnyException();
        assertThatCode(() -> SecretRules.check("PIN", SecretKind.ENV, "1234567")).doesNotThrowAnyException();
        assertThatCode(() -> SecretRules.check("DEBUG", SecretKind.ENV, "")).doesNotThrowAnyException();
    }
}
