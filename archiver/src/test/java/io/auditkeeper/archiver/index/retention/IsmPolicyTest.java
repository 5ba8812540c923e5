package io.auditkeeper.archiver.index.retention;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IsmPolicyTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void shouldBeValidJsonWithTheConfiguredDaysAndPatternWhenRendered() throws Exception {
        byte[] json = MAPPER.writeValueAsBytes(IsmPolicy.document("audit-events", 30));
        JsonNode policy = MAPPER.readTree(json).path("policy");

        assertThat(policy.path("default_state").asText()).isEqualTo("hot");
        JsonNode hot = policy.path("states").get(0);
        assertThat(hot.path("transitions").get(0).path("state_name").asText()).isEqualTo("delete");
        assertThat(hot.path("transitions").get(0).path("conditions").path("min_index_age").asText()).isEqualTo("30d");
        assertThat(policy.path("states").get(1).path("actions").get(0).has("delete")).isTrue();
        assertThat(policy.path("ism_template").get(0).path("index_patterns")).hasSize(1);
        assertThat(policy.path("ism_template").get(0).path("index_patterns").get(0).asText()).isEqualTo("audit-events-2*");
        assertThat(IsmPolicy.id("audit-events")).isEqualTo("audit-events-retention");
    }

    @Test
    void shouldMatchOnlyAPolicyWithTheSameDaysAndPatternWhenComparingAnInstalledOne() {
        JsonNode policy = IsmPolicy.document("audit-events", 90).path("policy");

        assertThat(IsmPolicy.matches(policy, "audit-events", 90)).isTrue();
        assertThat(IsmPolicy.matches(policy, "audit-events", 30)).isFalse();
        assertThat(IsmPolicy.matches(policy, "other", 90)).isFalse();
    }

    @Test
    void shouldRefuseZeroDaysWhenRendering() {
        assertThatThrownBy(() -> IsmPolicy.document("audit-events", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
