package io.auditkeeper.localstack;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequiredToolTest {
    @Test
    void shouldPassWhenTheToolIsInstalledWithOrWithoutCi() {
        assertThatCode(() -> RequiredTool.check(true, "promtool", "apt-get install prometheus", Map.of("CI", "true")))
                .doesNotThrowAnyException();
        assertThatCode(() -> RequiredTool.check(true, "promtool", "apt-get install prometheus", Map.of()))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldFailNamingTheToolWhenItIsMissingInCi() {
        assertThatThrownBy(() -> RequiredTool.check(false, "promtool", "apt-get install prometheus", Map.of("CI", "true")))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("promtool is not installed (apt-get install prometheus)")
                .hasMessageContaining("CI is set");
    }

    @Test
    void shouldSkipWhenItIsMissingOutsideCi() {
        assertThatThrownBy(() -> RequiredTool.check(false, "promtool", "apt-get install prometheus", Map.of()))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("promtool is not installed");
    }

    @Test
    void shouldTreatCiAsSetUnlessEmptyFalseOrZero() {
        assertThat(RequiredTool.inCi(Map.of("CI", "true"))).isTrue();
        assertThat(RequiredTool.inCi(Map.of("CI", "1"))).isTrue();
        assertThat(RequiredTool.inCi(Map.of("CI", "yes"))).isTrue();
        assertThat(RequiredTool.inCi(Map.of())).isFalse();
        assertThat(RequiredTool.inCi(Map.of("CI", ""))).isFalse();
        assertThat(RequiredTool.inCi(Map.of("CI", "false"))).isFalse();
        assertThat(RequiredTool.inCi(Map.of("CI", "0"))).isFalse();
    }
}
