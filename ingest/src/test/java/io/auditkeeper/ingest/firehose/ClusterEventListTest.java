package io.auditkeeper.ingest.firehose;

import io.auditkeeper.ingest.batch.EventListSplitter;
import io.auditkeeper.ingest.batch.SplitBatch;
import io.auditkeeper.ingest.firehose.FirehoseDelivery.ClusterLogEvents;
import io.auditkeeper.ingest.firehose.FirehoseDelivery.LogEvent;
import io.auditkeeper.model.DeadLetterReason;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterEventListTest {
    @Test
    void shouldJudgeEachLogEventAsTheWebhookJudgesAnItemWhenItsMessageIsJson() throws Exception {
        ClusterEventList list = ClusterEventList.of(new ClusterLogEvents("east", List.of(
                event(FirehoseFixtures.eksEvent()),
                event("[1,2]"),
                event("{\"stage\":\"ResponseComplete\"}"),
                event("{\"auditID\":\"x\"}"),
                event("{\"kind\":\"Event\",\"auditID\":\"cut\",\"stage\":\"Resp"))));

        SplitBatch batch = new EventListSplitter(100).split(list.eventList(), list.eventList().length);

        assertThat(batch.events()).hasSize(1);
        assertThat(batch.events().get(0).auditId()).isEqualTo("6f1c2a0e-3b7d-4e59-9a61-0c8d2f4b7e15");
        assertThat(new String(list.eventList(), batch.events().get(0).offset(), batch.events().get(0).length(),
                StandardCharsets.UTF_8)).as("the event's bytes as EKS wrote them").isEqualTo(FirehoseFixtures.eksEvent());
        assertThat(batch.rejected()).extracting(r -> r.reason()).containsExactly(DeadLetterReason.NOT_AN_OBJECT,
                DeadLetterReason.MISSING_AUDIT_ID, DeadLetterReason.MISSING_STAGE);
        assertThat(list.rejected().rejected()).extracting(r -> r.reason()).containsExactly(DeadLetterReason.UNPARSEABLE_EVENT);
        assertThat(new String(list.unparseable(), StandardCharsets.UTF_8))
                .isEqualTo("{\"kind\":\"Event\",\"auditID\":\"cut\",\"stage\":\"Resp");
    }

    @Test
    void shouldTakeOneJsonValueOnlyWhenCheckingAMessage() {
        assertThat(ClusterEventList.isJson(" {\"a\":1}\n".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(ClusterEventList.isJson("{\"a\":1} {\"b\":2}".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(ClusterEventList.isJson("\"unterminated".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(ClusterEventList.isJson("".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    private static LogEvent event(String message) {
        return new LogEvent(message.getBytes(StandardCharsets.UTF_8), "id", "kube-apiserver-audit-1");
    }
}
