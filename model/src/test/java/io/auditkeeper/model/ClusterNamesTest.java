package io.auditkeeper.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterNamesTest {
    @Test
    void shouldAcceptNamesSafeInHeadersIndexNamesAndS3Keys() {
        assertThat(ClusterNames.isValid("prod-eu")).isTrue();
        assertThat(ClusterNames.isValid("a")).isTrue();
        assertThat(ClusterNames.isValid("east_1.k8s")).isTrue();
        assertThat(ClusterNames.isValid("a".repeat(63))).isTrue();
    }

    @Test
    void shouldRefuseAnythingElse() {
        assertThat(ClusterNames.isValid(null)).isFalse();
        assertThat(ClusterNames.isValid("")).isFalse();
        assertThat(ClusterNames.isValid("Prod")).isFalse();
        assertThat(ClusterNames.isValid("-east")).isFalse();
        assertThat(ClusterNames.isValid("east.")).isFalse();
        assertThat(ClusterNames.isValid("a/b")).isFalse();
        assertThat(ClusterNames.isValid("a".repeat(64))).isFalse();
    }
}
