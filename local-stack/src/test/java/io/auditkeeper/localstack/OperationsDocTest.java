package io.auditkeeper.localstack;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The reading of docs/operations.md's metric tables, and the comparison with a scrape, that the services' ITs rely on. */
class OperationsDocTest {
    private static final String DOC = """
            # Guide
            ## Metrics
            ### ingest metrics

            | metric | type | labels | meaning |
            |---|---|---|---|
            | `auditkeeper_ingest_requests_total` | counter | `status` | answers, with a \\| in the text |
            | `auditkeeper_ingest_ack_latency_seconds` | histogram | `le` | latency |
            | `kafka_producer_*` | various | `client_id` | the producer's |

            ### external metrics

            | metric | type | labels | from |
            |---|---|---|---|
            | `up` | gauge | `namespace` | Prometheus |

            ## Runbooks
            | `not_a_metric_table_row` | x | | y |
            """;

    private static final String SCRAPE = """
            # HELP auditkeeper_ingest_requests_total answers
            # TYPE auditkeeper_ingest_requests_total counter
            auditkeeper_ingest_requests_total{status="200"} 3.0
            auditkeeper_ingest_ack_latency_seconds_bucket{le="0.001"} 1.0
            auditkeeper_ingest_ack_latency_seconds_count 1.0
            kafka_producer_record_send_total{client_id="auditkeeper-ingest",kafka_version="4.4.0"} 9.0
            """;

    @Test
    void shouldReadTheTablesUnderServiceHeadings() {
        Map<String, List<OperationsDoc.Metric>> t = OperationsDoc.tables(DOC);
        assertThat(t).containsOnlyKeys("ingest", "external");
        assertThat(t.get("ingest")).extracting(OperationsDoc.Metric::name)
                .containsExactly("auditkeeper_ingest_requests_total", "auditkeeper_ingest_ack_latency_seconds", "kafka_producer_*");
        assertThat(t.get("ingest").get(0).labels()).containsExactly("status");
        assertThat(t.get("ingest").get(1).type()).isEqualTo("histogram");
        assertThat(t.get("ingest").get(2).family()).isTrue();
    }

    @Test
    void shouldFindEveryListedMetricAndLabelInAScrapeThatHasThem() {
        assertThat(OperationsDoc.missing(OperationsDoc.tables(DOC).get("ingest"), SCRAPE)).isEmpty();
    }

    @Test
    void shouldNameAMissingMetricAMissingLabelAndAnEmptyFamily() {
        List<OperationsDoc.Metric> table = List.of(
                new OperationsDoc.Metric("auditkeeper_ingest_events_accepted_total", "counter", List.of()),
                new OperationsDoc.Metric("auditkeeper_ingest_requests_total", "counter", List.of("status", "cluster")),
                new OperationsDoc.Metric("kafka_consumer_*", "various", List.of()));
        assertThat(OperationsDoc.missing(table, SCRAPE)).containsExactly(
                "auditkeeper_ingest_events_accepted_total: not on /metrics",
                "auditkeeper_ingest_requests_total: no sample has the label cluster (has [status])",
                "kafka_consumer_*: not on /metrics");
    }

    @Test
    void shouldListEachServiceOfTheRealGuide() {
        Map<String, List<OperationsDoc.Metric>> t = OperationsDoc.tables();
        assertThat(t).containsKeys("ingest", "stream-processor", "archiver", "external");
        assertThat(t.get("ingest")).hasSizeGreaterThan(8);
        assertThat(t.get("stream-processor")).hasSizeGreaterThan(8);
        assertThat(t.get("archiver")).hasSizeGreaterThan(8);
    }
}
