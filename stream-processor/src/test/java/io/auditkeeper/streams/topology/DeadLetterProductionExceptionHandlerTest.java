package io.auditkeeper.streams.topology;

import io.auditkeeper.model.AuditHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.internals.DefaultErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterProductionExceptionHandlerTest {
    private final OutputLimits limits = new OutputLimits(64 * 1024 * 1024);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DeadLetterProductionExceptionHandler handler = new DeadLetterProductionExceptionHandler();
    private DefaultErrorHandlerContext context;

    @BeforeEach
    void configure() {
        handler.configure(Map.of(DeadLetterProductionExceptionHandler.LIMITS, limits,
                DeadLetterProductionExceptionHandler.REGISTRY, registry,
                DeadLetterProductionExceptionHandler.DEAD_LETTER_TOPIC, "audit.dlq"));
        RecordHeaders in = new RecordHeaders();
        AuditHeaders.put(in, AuditHeaders.CLUSTER, "east");
        context = new DefaultErrorHandlerContext(null, "audit.raw", 2, 41, in, "process-events", new TaskId(0, 2), 0L,
                null, null);
    }

    @Test
    void shouldLowerTheLimitBelowARecordThatWasTooLargeAndFailTheDoomedTransaction() {
        byte[] value = "v".repeat(5000).getBytes(StandardCharsets.UTF_8);
        ProducerRecord<byte[], byte[]> refused = new ProducerRecord<>("audit.events", "east/a-1".getBytes(StandardCharsets.UTF_8), value);

        ProductionExceptionHandler.Response r = handler.handleError(context, refused, new RecordTooLargeException("too large"));

        assertThat(r.result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(r.deadLetterQueueRecords()).as("it would be aborted with the transaction").isEmpty();
        assertThat(limits.fits("audit.events", OutputLimits.size(refused.key(), value, null))).isFalse();
        assertThat(limits.fits("audit.events", 4000)).isTrue();
        assertThat(limits.limit("audit.dlq")).isEqualTo(64 * 1024 * 1024);
        assertThat(registry.get("auditkeeper.streams.output.refused").tag("topic", "audit.events").counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldFailWhenTheErrorIsNotAboutSize() {
        ProducerRecord<byte[], byte[]> refused = new ProducerRecord<>("audit.events", new byte[1], new byte[1]);

        ProductionExceptionHandler.Response r = handler.handleError(context, refused, new TopicAuthorizationException("no"));

        assertThat(r.result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(limits.limit("audit.events")).isEqualTo(64 * 1024 * 1024);
    }

    @Test
    void shouldRetryARetriableErrorAsTheDefaultHandlerDoes() {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("audit.events", new byte[1], new byte[1]);

        ProductionExceptionHandler.Response r = handler.handleError(context, record, new TimeoutException("slow"));

        assertThat(r.result()).isEqualTo(ProductionExceptionHandler.Result.RETRY);
        assertThat(registry.find("auditkeeper.streams.output.refused").counter()).isNull();
    }

    @Test
    @SuppressWarnings({"rawtypes", "unchecked"})
    void shouldResumeWithAMetadataDeadLetterWhenARecordCannotBeSerialized() {
        ProducerRecord record = new ProducerRecord<>("audit.events", "k", new Object());

        ProductionExceptionHandler.Response r = handler.handleSerializationError(context, record,
                new ClassCastException("not bytes"), ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);

        assertThat(r.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(r.deadLetterQueueRecords()).singleElement().satisfies(d -> {
            assertThat(d.topic()).isEqualTo("audit.dlq");
            assertThat(d.value()).isEmpty();
            assertThat(AuditHeaders.get(d.headers(), AuditHeaders.DLQ_REASON)).contains("unwritable-event");
            assertThat(AuditHeaders.get(d.headers(), AuditHeaders.DLQ_ORIGIN)).contains("audit.raw/2/41");
            assertThat(AuditHeaders.get(d.headers(), AuditHeaders.CLUSTER)).contains("east");
        });
    }
}
