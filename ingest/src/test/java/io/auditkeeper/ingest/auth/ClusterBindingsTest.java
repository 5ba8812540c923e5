package io.auditkeeper.ingest.auth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterBindingsTest {
    private static final ClientIdentity EAST = new ClientIdentity("mtls:CN=apiserver-east,O=hospital", List.of("apiserver-east"));
    private static final ClientIdentity TOKEN = new ClientIdentity("token:west-bridge", List.of("west-bridge"));

    @Test
    void shouldLetEveryClientPostForEveryClusterWhenThereAreNoBindings() {
        assertThat(ClusterBindings.parse(List.of()).allows(EAST, "west")).isTrue();
        assertThat(ClusterBindings.NONE.restricts()).isFalse();
    }

    @Test
    void shouldAllowOnlyTheBoundClustersWhenAClientIsBound() {
        ClusterBindings b = ClusterBindings.parse(List.of("apiserver-east=east|east-dr", "west-bridge=west"));

        assertThat(b.allows(EAST, "east")).isTrue();
        assertThat(b.allows(EAST, "east-dr")).isTrue();
        assertThat(b.allows(EAST, "west")).isFalse();
        assertThat(b.allows(TOKEN, "west")).isTrue();
        assertThat(b.allows(TOKEN, "east")).isFalse();
    }

    @Test
    void shouldRefuseAClientWithoutAnEntryAndAllowAnyClusterForStar() {
        ClusterBindings b = ClusterBindings.parse(List.of(" ops-relay = * "));

        assertThat(b.allows(new ClientIdentity("token:ops-relay", List.of("ops-relay")), "anything")).isTrue();
        assertThat(b.allows(EAST, "east")).as("no entry for apiserver-east").isFalse();
    }

    @Test
    void shouldAllowWhenEitherProvenNameIsBoundWhenBothACertificateAndATokenWereGiven() {
        ClusterBindings b = ClusterBindings.parse(List.of("west-bridge=west"));
        ClientIdentity both = new ClientIdentity("mtls:CN=apiserver-east+token:west-bridge", List.of("apiserver-east", "west-bridge"));

        assertThat(b.allows(both, "west")).isTrue();
        assertThat(b.allows(both, "east")).isFalse();
    }

    @Test
    void shouldNameTheWrongEntryWhenAnEntryIsMalformed() {
        for (String bad : List.of("east", "=east", "east=", "c=East", "c=a||b", "c=a/b")) {
            assertThatThrownBy(() -> ClusterBindings.parse(List.of(bad))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.isEmpty() ? "" : bad.strip());
        }
        assertThatThrownBy(() -> ClusterBindings.parse(List.of("c=a", "c=b")))
                .hasMessageContaining("client 'c' is bound twice");
    }
}
