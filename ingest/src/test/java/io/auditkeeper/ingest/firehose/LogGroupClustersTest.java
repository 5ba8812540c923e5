package io.auditkeeper.ingest.firehose;

import io.auditkeeper.ingest.firehose.LogGroupClusters.UnknownLogGroupException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogGroupClustersTest {
    @Test
    void shouldTakeTheClusterFromTheLogGroupWhenNoneIsListed() throws Exception {
        assertThat(LogGroupClusters.DERIVED.clusterOf("/aws/eks/phi-prod/cluster")).isEqualTo("phi-prod");
    }

    @Test
    void shouldRefuseAnEksNameThatIsNoClusterNameHereAndSayHowToMapIt() {
        assertThatThrownBy(() -> LogGroupClusters.DERIVED.clusterOf("/aws/eks/PhiProd/cluster"))
                .isInstanceOf(UnknownLogGroupException.class)
                .hasMessageContaining("'PhiProd'").hasMessageContaining("firehose.eks.log-groups");
    }

    @Test
    void shouldRefuseALogGroupOfAnotherShapeWhenNoneIsListed() {
        assertThatThrownBy(() -> LogGroupClusters.DERIVED.clusterOf("/aws/eks/a/b/cluster"))
                .isInstanceOf(UnknownLogGroupException.class);
        assertThatThrownBy(() -> LogGroupClusters.DERIVED.clusterOf("/aws/lambda/x"))
                .isInstanceOf(UnknownLogGroupException.class);
    }

    @Test
    void shouldAcceptOnlyTheListedLogGroupsWhenSomeAreListed() throws Exception {
        LogGroupClusters listed = LogGroupClusters.parse(List.of("/aws/eks/PhiProd/cluster=phi-prod",
                " /aws/eks/east/cluster = east "));

        assertThat(listed.clusterOf("/aws/eks/PhiProd/cluster")).isEqualTo("phi-prod");
        assertThat(listed.clusterOf("/aws/eks/east/cluster")).isEqualTo("east");
        assertThatThrownBy(() -> listed.clusterOf("/aws/eks/west/cluster"))
                .isInstanceOf(UnknownLogGroupException.class).hasMessageContaining("not listed");
    }

    @Test
    void shouldNameTheEntryWhenAnEntryIsMalformed() {
        assertThatThrownBy(() -> LogGroupClusters.parse(List.of("/aws/eks/x/cluster")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<log group>=<cluster>");
        assertThatThrownBy(() -> LogGroupClusters.parse(List.of("/aws/eks/x/cluster=X")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'X'");
        assertThatThrownBy(() -> LogGroupClusters.parse(List.of("g=a", "g=b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }
}
