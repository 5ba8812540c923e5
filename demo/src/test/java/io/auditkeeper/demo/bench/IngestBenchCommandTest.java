package io.auditkeeper.demo.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IngestBenchCommandTest {
    @Test
    void shouldTellTheWebhooksWorkFromTheClientsTheProducersAndTheBrokers() {
        assertThat(IngestBenchCommand.role("ingest-http-12")).isEqualTo("webhook request threads");
        assertThat(IngestBenchCommand.role("ingest webhook-")).isEqualTo("HTTPS client");
        assertThat(IngestBenchCommand.role("plain producer-")).isEqualTo("plain producer's senders");
        assertThat(IngestBenchCommand.role("kafka-producer-")).isEqualTo("producer network thread");
        assertThat(IngestBenchCommand.role("data-plane-kafk")).isEqualTo("broker");
        assertThat(IngestBenchCommand.role("C2 CompilerThre")).isEqualTo(PipelineCpu.JIT);
        assertThat(IngestBenchCommand.role("main")).isEqualTo("other");
    }
}
