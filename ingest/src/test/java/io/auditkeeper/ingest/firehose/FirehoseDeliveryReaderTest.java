package io.auditkeeper.ingest.firehose;

import io.auditkeeper.ingest.firehose.FirehoseDelivery.ClusterLogEvents;
import io.auditkeeper.ingest.firehose.LogGroupClusters.UnknownLogGroupException;
import io.auditkeeper.ingest.http.WebhookException;
import io.auditkeeper.model.DeadLetterReason;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.auditkeeper.ingest.firehose.FirehoseFixtures.data;
import static io.auditkeeper.ingest.firehose.FirehoseFixtures.dataMessage;
import static io.auditkeeper.ingest.firehose.FirehoseFixtures.eksEvent;
import static io.auditkeeper.ingest.firehose.FirehoseFixtures.read;
import static io.auditkeeper.ingest.firehose.FirehoseFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FirehoseDeliveryReaderTest {
    private static final long MIB = 1024 * 1024;
    private final AtomicLong charged = new AtomicLong();
    private final FirehoseDeliveryReader reader = new FirehoseDeliveryReader(LogGroupClusters.DERIVED, 32 * MIB);

    @Test
    void shouldReadTheAuditEventOfAnEksLogGroupWhenARecordIsBase64OfAGzipSubscriptionMessage() throws Exception {
        byte[] body = request("req-1", List.of(data(read("eks-subscription-message.json"))));

        FirehoseDelivery delivery = delivery(reader, body);

        assertThat(delivery.requestId()).isEqualTo("req-1");
        assertThat(delivery.timestamp()).isEqualTo(1628674153595L);
        assertThat(delivery.records()).isEqualTo(1);
        assertThat(delivery.clusters()).extracting(ClusterLogEvents::cluster).containsExactly("phi-prod");
        ClusterLogEvents events = delivery.clusters().get(0);
        assertThat(events.messages()).hasSize(1);
        assertThat(new String(events.messages().get(0).message(), StandardCharsets.UTF_8)).isEqualTo(eksEvent());
        assertThat(events.messages().get(0).logStream()).isEqualTo("kube-apiserver-audit-71976ca11bea5d3083393f7d32dab75b");
        assertThat(charged.get()).as("decoded bytes charged to the in-flight budget").isGreaterThan(eksEvent().length());
    }

    @Test
    void shouldSkipAControlMessageWhenCloudWatchLogsChecksTheDestination() throws Exception {
        byte[] body = request("req-2", List.of(data(read("cloudwatch-logs-control-message.json")),
                data(read("eks-subscription-message.json"))));

        FirehoseDelivery delivery = delivery(reader, body);

        assertThat(delivery.records()).isEqualTo(2);
        assertThat(delivery.controlMessages()).isEqualTo(1);
        assertThat(delivery.logEvents()).isEqualTo(1);
    }

    @Test
    void shouldGroupLogEventsByClusterWhenOneRequestCarriesSeveralLogGroups() throws Exception {
        byte[] body = request("req-3", List.of(
                data(dataMessage("/aws/eks/east/cluster", List.of("{\"a\":1}", "{\"a\":2}"))),
                data(dataMessage("/aws/eks/west/cluster", List.of("{\"b\":1}"))),
                data(dataMessage("/aws/eks/east/cluster", List.of("{\"a\":3}")))));

        FirehoseDelivery delivery = delivery(reader, body);

        assertThat(delivery.clusters()).extracting(ClusterLogEvents::cluster).containsExactly("east", "west");
        assertThat(delivery.clusters().get(0).messages()).extracting(e -> new String(e.message(), StandardCharsets.UTF_8))
                .containsExactly("{\"a\":1}", "{\"a\":2}", "{\"a\":3}");
    }

    @Test
    void shouldRefuseTheDocumentedExampleRequestWhenItsRecordsAreNotGzip() {
        assertThatThrownBy(() -> delivery(reader, read("firehose-http-endpoint-request.json")))
                .isInstanceOfSatisfying(InvalidDeliveryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.BAD_CONTENT_ENCODING);
                    assertThat(e.error()).isEqualTo("bad-record-encoding");
                    assertThat(e.getMessage()).contains("record 0").contains("not gzip");
                });
    }

    @Test
    void shouldRefuseTheRequestWhenARecordsDataIsNotBase64() {
        byte[] body = request("req-4", List.of(data(read("eks-subscription-message.json")), "not*base64!"));

        assertThatThrownBy(() -> delivery(reader, body))
                .isInstanceOfSatisfying(InvalidDeliveryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.BAD_CONTENT_ENCODING);
                    assertThat(e.error()).isEqualTo("bad-base64");
                    assertThat(e.getMessage()).isEqualTo("record 1's data is not valid base64");
                });
    }

    @Test
    void shouldRefuseTheRequestWhenTheBodyIsNotJson() {
        byte[] body = "{\"requestId\":\"x\",\"records\":[".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> delivery(reader, body))
                .isInstanceOfSatisfying(InvalidDeliveryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.MALFORMED_JSON);
                    assertThat(e.getMessage()).startsWith("the body is not valid JSON at byte");
                });
    }

    @Test
    void shouldRefuseTheRequestWhenTheBodyIsJsonButNotAFirehoseRequest() {
        byte[] eventList = "{\"kind\":\"EventList\",\"items\":[]}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> delivery(reader, eventList))
                .isInstanceOfSatisfying(InvalidDeliveryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.NOT_A_FIREHOSE_REQUEST);
                    assertThat(e.getMessage()).contains("requestId and records");
                });
    }

    @Test
    void shouldRefuseTheRequestWhenARecordIsNotASubscriptionMessage() {
        byte[] body = request("req-5", List.of(data("{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8))));

        assertThatThrownBy(() -> delivery(reader, body))
                .isInstanceOfSatisfying(InvalidDeliveryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.NOT_A_FIREHOSE_REQUEST);
                    assertThat(e.error()).isEqualTo("not-a-subscription-message");
                    assertThat(e.getMessage()).contains("record 0").contains("messageType");
                });
    }

    @Test
    void shouldRefuseTheDocumentedSubscriptionMessageWhenItsLogGroupIsNoEksClusters() {
        byte[] body = request("req-6", List.of(data(read("cloudwatch-logs-subscription-message.json"))));

        assertThatThrownBy(() -> delivery(reader, body))
                .isInstanceOf(UnknownLogGroupException.class)
                .hasMessageContaining("'CloudTrail'").hasMessageContaining("firehose.eks.log-groups");
    }

    @Test
    void shouldKeepTheDocumentedSubscriptionMessagesCutEventsForTheDeadLetterTopicWhenItsLogGroupIsMapped()
            throws Exception {
        FirehoseDeliveryReader mapped = new FirehoseDeliveryReader(LogGroupClusters.parse(List.of("CloudTrail=trail")),
                32 * MIB);
        byte[] body = request("req-7", List.of(data(read("cloudwatch-logs-subscription-message.json"))));

        FirehoseDelivery delivery = delivery(mapped, body);
        ClusterEventList list = ClusterEventList.of(delivery.clusters().get(0));

        assertThat(list.cluster()).isEqualTo("trail");
        assertThat(new String(list.eventList(), StandardCharsets.UTF_8)).isEqualTo("{\"items\":[]}");
        assertThat(list.rejected().rejected()).hasSize(3).allSatisfy(r -> {
            assertThat(r.reason()).isEqualTo(DeadLetterReason.UNPARSEABLE_EVENT);
            assertThat(r.detail()).contains("of log stream 111111111111_CloudTrail_us-east-1").contains("not valid JSON");
            assertThat(new String(list.unparseable(), r.offset(), r.length(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"eventVersion\":\"1.03\",\"userIdentity\":{\"type\":\"Root\"}");
        });
    }

    @Test
    void shouldStopAtTheCapWhenRecordsDecompressToMoreThanItTogether() {
        byte[] zeros = dataMessage("/aws/eks/east/cluster", List.of("{\"pad\":\"" + "0".repeat(600_000) + "\"}"));
        byte[] body = request("req-8", List.of(data(zeros), data(zeros)));
        FirehoseDeliveryReader small = new FirehoseDeliveryReader(LogGroupClusters.DERIVED, MIB);

        assertThatThrownBy(() -> delivery(small, body)).isInstanceOf(DecodedTooLargeException.class)
                .hasMessageContaining("limits.max-body-bytes");
    }

    @Test
    void shouldFailWithTheBudgetsAnswerWhenDecodedBytesWouldCrossIt() {
        byte[] body = request("req-9", List.of(data(read("eks-subscription-message.json"))));

        assertThatThrownBy(() -> reader.read(body, body.length, bytes -> {
            throw new WebhookException(429, "overloaded", "too many bytes in flight");
        })).isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(429));
    }

    @Test
    void shouldSkipAnEmptyRecordWhenFirehoseSendsOne() throws Exception {
        byte[] body = request("req-10", List.of("", Base64.getEncoder().encodeToString(
                FirehoseFixtures.gzip(read("eks-subscription-message.json")))));

        assertThat(delivery(reader, body).logEvents()).isEqualTo(1);
    }

    private FirehoseDelivery delivery(FirehoseDeliveryReader r, byte[] body) throws Exception {
        return r.read(body, body.length, charged::addAndGet);
    }
}
