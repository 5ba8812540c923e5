package io.auditkeeper.source.aks.envelope;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterResolverTest {
    private static final String ID = "/SUBSCRIPTIONS/BFC31CC5/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/";

    @Test
    void shouldLowerCaseTheManagedClusterNameWhenNoMappingNamesIt() {
        assertThat(ClusterResolver.of(List.of()).clusterOf(ID + "PROD-EAST")).contains("prod-east");
    }

    @Test
    void shouldPreferAFullResourceIdOverAnAksNameWhenBothAreMapped() {
        ClusterResolver r = ClusterResolver.of(List.of("prod-east=by-name", ID.toLowerCase() + "prod-east=by-id"));

        assertThat(r.clusterOf(ID + "PROD-EAST")).contains("by-id");
        assertThat(r.clusterOf(ID.replace("RG", "OTHER") + "PROD-EAST")).contains("by-name");
    }

    @Test
    void shouldNameNoClusterWhenTheAksNameBreaksTheRule() {
        assertThat(ClusterResolver.of(List.of()).clusterOf(ID + "PROD_EAST_")).isEmpty();
        assertThat(ClusterResolver.of(List.of()).clusterOf(null)).isEmpty();
    }

    @Test
    void shouldRefuseAMappingWhenItsClusterBreaksTheRule() {
        assertThatThrownBy(() -> ClusterResolver.of(List.of("prod-east=Prod East")))
                .hasMessageContaining("prod-east=Prod East").hasMessageContaining("cluster name");
        assertThatThrownBy(() -> ClusterResolver.of(List.of("prod-east"))).hasMessageContaining("is not");
    }
}
