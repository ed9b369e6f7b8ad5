package dev.nightshift.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module graph of ARCHITECTURE.md, checked on the compiled classes of every module: which
 * module's packages may use which, and that no class outside a module touches its
 * {@code internal} packages. A wrong arrow fails the build; {@code WrongWay} and
 * {@code ReachesIntoSecrets} (fixtures in this module's tests) prove the check bites.
 */
class ArchitectureTest {
    /** Module (the package under {@code dev.nightshift}) → the modules it may use besides itself. */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("common", Set.of()),
            Map.entry("api", Set.of()),
            Map.entry("spec", Set.of("api", "common")),
            Map.entry("machine", Set.of("api", "common")),
            Map.entry("docker", Set.of("api", "common", "machine")),
            Map.entry("kubernetes", Set.of("api", "common", "machine")),
            Map.entry("git", Set.of("api", "common")),
            Map.entry("secrets", Set.of("api", "common")),
            Map.entry("core", Set.of("api", "common", "spec", "git", "secrets")),
            Map.entry("model", Set.of("api", "common")),
            Map.entry("store", Set.of("api", "common")),
            Map.entry("server", Set.of("api", "common", "core")),
            Map.entry("examples", Set.of("api", "common", "spec", "docker", "git", "secrets", "core", "model", "server",
                    "store")),
            Map.entry("benchmarks", Set.of("api", "common", "spec", "docker", "git", "secrets", "core", "model", "server",
                    "store")));

    private static JavaClasses production;
    private static JavaClasses fixture;

    @BeforeAll
    static void importClasses() {
        production = new ClassFileImporter()
                .withImportOption(ArchitectureTest::isProduction)
                .importPackages("dev.nightshift");
        fixture = new ClassFileImporter().importPackages("dev.nightshift.git.archfixture",
                "dev.nightshift.core.archfixture");
    }

    /** Main classes only: not this module's test classes, not any module's test jar. */
    static boolean isProduction(Location location) {
        return !location.contains("/test-classes/") && !location.contains("-tests.jar")
                && new ImportOption.DoNotIncludeTests().includes(location);
    }

    @Test
    void everyModuleIsSeen() {
        Set<String> modules = new TreeSet<>();
        production.forEach(c -> modules.add(module(c)));
        assertThat(modules).as("modules whose classes were imported").containsAll(ALLOWED.keySet());
    }

    @Test
    void dependenciesPointTheWayTheMapSays() {
        assertThat(violations(production)).isEmpty();
    }

    @Test
    void theCheckRejectsAWrongWayFixture() {
        assertThat(fixture.size()).as("the fixture was imported").isPositive();
        assertThat(violations(fixture)).containsExactlyInAnyOrder(
                "dev.nightshift.git.archfixture.WrongWay (git) uses dev.nightshift.core.internal.Json (core)",
                "dev.nightshift.git.archfixture.WrongWay (git) reaches into another module's internals:"
                        + " dev.nightshift.core.internal.Json",
                "dev.nightshift.git.archfixture.WrongWay (git) uses dev.nightshift.spec.DirectoryTree (spec)",
                "dev.nightshift.git.archfixture.WrongWay (git) uses dev.nightshift.secrets.Redactor (secrets)",
                // core may use sdk-secrets' entry point (Redactor: no finding), not what is behind it
                "dev.nightshift.core.archfixture.ReachesIntoSecrets (core) reaches into another module's internals:"
                        + " dev.nightshift.secrets.internal.Patterns");
    }

    @Test
    void aControlWithinTheRulesPasses() {
        JavaClasses api = new ClassFileImporter().withImportOption(ArchitectureTest::isProduction)
                .importPackages("dev.nightshift.api");
        assertThat(api.size()).isPositive();
        assertThat(violations(api)).isEmpty();
    }

    static List<String> violations(JavaClasses classes) {
        Set<String> found = new TreeSet<>();
        for (JavaClass c : classes) {
            String from = module(c);
            Set<String> allowed = ALLOWED.get(from);
            if (allowed == null) {
                found.add(c.getName() + " is in no known module (" + from + "): add it to ArchitectureTest.ALLOWED");
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass();
                String name = target.getName();
                if (!name.startsWith("dev.nightshift.")) {
                    continue;
                }
                String to = module(target);
                if (!to.equals(from) && !allowed.contains(to)) {
                    found.add(c.getName() + " (" + from + ") uses " + name + " (" + to + ")");
                }
                if (!to.equals(from) && target.getPackageName().contains(".internal")) {
                    found.add(c.getName() + " (" + from + ") reaches into another module's internals: " + name);
                }
            }
        }
        return new ArrayList<>(found);
    }

    static String module(JavaClass c) {
        String rest = c.getPackageName().substring("dev.nightshift.".length());
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }
}
