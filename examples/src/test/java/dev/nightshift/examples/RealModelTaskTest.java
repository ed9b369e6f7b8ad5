package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.ValidationException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@link RealModelTask} does without a key: says what to set, spends nothing, starts nothing. */
class RealModelTaskTest {
    @Test
    void withoutAKeyItSaysWhatToSetAndExits2() throws Exception {
        assertThat(RealModelTask.run(new String[0], Map.of())).isEqualTo(2);
    }

    @Test
    void aNamedModelWithoutItsKeyIsAClearError() {
        assertThatThrownBy(() -> RealModelTask.run(new String[] {"openai:gpt-4.1"}, Map.of()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("set OPENAI_API_KEY");
    }

    @Test
    void theProjectsTestFailsAsWritten() {
        assertThat(RealModelTask.failingProject().get("calc.sh")).contains("$1 - $2");
        assertThat(RealModelTask.failingProject()).containsKeys("test.sh", "AGENTS.md");
    }
}
