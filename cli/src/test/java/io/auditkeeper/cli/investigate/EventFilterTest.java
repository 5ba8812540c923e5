package io.auditkeeper.cli.investigate;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EventFilterTest {
    private static final byte[] EVENT = ("{\"cluster\":\"prod\",\"verb\":\"get\",\"actor\":\"alice\","
            + "\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"phi-records\"},"
            + "\"phi\":{\"flagged\":true,\"rules\":[\"secret-read\",\"bulk-read\"]}}").getBytes(StandardCharsets.UTF_8);

    private static EventFilter filter(Set<String> clusters, Set<String> namespaces, Set<String> actors, Set<String> verbs,
                                      Set<String> resources, Set<String> rules) {
        return new EventFilter(clusters, namespaces, actors, verbs, resources, rules);
    }

    @Test
    void shouldMatchWhenEveryCriterionHoldsOnTheNormalizedFields() {
        assertThat(filter(Set.of("prod"), Set.of("phi-records"), Set.of("alice"), Set.of("get"), Set.of("secrets"),
                Set.of("bulk-read")).matches(EVENT)).isTrue();
    }

    @Test
    void shouldNotMatchWhenOneCriterionFails() {
        assertThat(filter(Set.of("prod"), Set.of("default"), Set.of(), Set.of(), Set.of(), Set.of()).matches(EVENT)).isFalse();
        assertThat(filter(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of("exec")).matches(EVENT)).isFalse();
    }

    @Test
    void shouldTakeValuesOfOneCriterionAsAlternatives() {
        assertThat(filter(Set.of(), Set.of(), Set.of("bob", "alice"), Set.of("list", "get"), Set.of(), Set.of())
                .matches(EVENT)).isTrue();
    }

    @Test
    void shouldNotMatchAMissingFieldOrNonJsonWhenFiltering() {
        byte[] noRef = "{\"verb\":\"get\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(filter(Set.of(), Set.of("phi-records"), Set.of(), Set.of(), Set.of(), Set.of()).matches(noRef)).isFalse();
        assertThat(filter(Set.of(), Set.of(), Set.of(), Set.of("get"), Set.of(), Set.of())
                .matches("not json".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void shouldMatchEverythingWhenNoCriterionIsGiven() {
        assertThat(EventFilter.none().matches("not json".getBytes(StandardCharsets.UTF_8))).isTrue();
    }
}
