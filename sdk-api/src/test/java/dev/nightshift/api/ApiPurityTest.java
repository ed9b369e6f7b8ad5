package dev.nightshift.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiPurityTest {

    @Test
    void compiledApiNamesOnlyJavaSlf4jAndItself() throws Exception {
        Path mainClasses = locate(AgentStatus.class);
        List<Path> files = ClassReferences.classFiles(mainClasses);
        assertThat(files).as("sdk-api classes under %s", mainClasses).hasSizeGreaterThan(30);
        assertThat(ApiPurity.violations(files))
                .as("sdk-api must name only java.*, org.slf4j.* and dev.nightshift.api.* types")
                .isEmpty();
    }

    @Test
    void rejectsAFixtureThatNamesAForbiddenType() throws Exception {
        Path fixture = classFile(dev.nightshift.api.fixture.ForbiddenTypeFixture.class);
        assertThat(ApiPurity.violations(List.of(fixture)))
                .as("the fixture's field, parameter and generic signature all name javax.sql.DataSource")
                .containsExactly("ForbiddenTypeFixture.class -> javax.sql.DataSource");
    }

    @Test
    void acceptsAFixtureThatNamesOnlyAllowedTypes() throws Exception {
        Path fixture = classFile(dev.nightshift.api.fixture.AllowedTypesFixture.class);
        assertThat(ClassReferences.of(fixture)).contains("org.slf4j.Logger", "java.util.List", "dev.nightshift.api.Problem");
        assertThat(ApiPurity.violations(List.of(fixture))).isEmpty();
    }

    private static Path locate(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Path classFile(Class<?> type) throws URISyntaxException {
        Path f = locate(type).resolve(type.getName().replace('.', '/') + ".class");
        assertThat(Files.isRegularFile(f)).as("compiled fixture %s", f).isTrue();
        return f;
    }
}
