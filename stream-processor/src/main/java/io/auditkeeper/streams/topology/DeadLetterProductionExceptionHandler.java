package io.auditkeeper.streams.topology;

import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.DeadLetterReason;
import io.auditkeeper.model.DeadLetterSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Kafka Streams' {@code production.exception.handler}: a record the stream-processor could not write is counted and
 * ends up in the dead-letter topic as metadata (reason, size, SHA-256, where its input was read; never its value),
 * and processing goes on.
 *
 * <p>What that is worth under exactly-once, as Kafka 4.4 does it. A serialization error happens on the stream thread
 * before the producer: the dead letter goes out in the same transaction as the rest, and processing resumes. A record
 * the producer or a broker refuses (too large) puts the producer's transaction in an abortable error whatever this
 * handler answers: a dead letter returned with {@code Response.resume(List)} (KIP-1034) would go out in that
 * transaction and be aborted with it. Worse, for a broker's refusal the handler runs on the producer's I/O thread, and
 * a send to a topic whose metadata the producer has not fetched yet blocks that very thread for {@code max.block.ms}
 * (a minute; {@code StreamProcessorFailuresIT} ran into it). So for a refused record this handler logs it (topic, size,
 * SHA-256, where its input was read), counts it in {@code auditkeeper.streams.output.refused}, lowers the topic's limit
 * in {@link OutputLimits} below that record's size, and fails: the stream thread is replaced, the transaction aborted,
 * and the input processed again from the last commit, when the processor catches the record before the write and
 * sends it to the dead-letter topic ({@code record-too-large}) in a transaction that commits. One aborted transaction
 * per refused record, not a loop. Other send errors fail the thread too, and retriable ones (a timeout) are retried,
 * as by default.
 *
 * <p>Configured with the {@link OutputLimits}, the meter registry and the dead-letter topic under
 * {@link #LIMITS}, {@link #REGISTRY} and {@link #DEAD_LETTER_TOPIC} in the Streams properties.
 */
public final class DeadLetterProductionExceptionHandler implements ProductionExceptionHandler {
    public static final String LIMITS = "auditkeeper.output-limits";
    public static final String REGISTRY = "auditkeeper.meter-registry";
    public static final String DEAD_LETTER_TOPIC = "auditkeeper.dead-letter-topic";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProductionExceptionHandler.class);

    private OutputLimits limits = new OutputLimits(Long.MAX_VALUE);
    private MeterRegistry registry = new SimpleMeterRegistry();
    private String deadLetterTopic;

    @Override
    public void configure(Map<String, ?> configs) {
        if (configs.get(LIMITS) instanceof OutputLimits l) {
            limits = l;
        }
        if (configs.get(REGISTRY) instanceof MeterRegistry r) {
            registry = r;
        }
        if (configs.get(DEAD_LETTER_TOPIC) instanceof String t) {
            deadLetterTopic = t;
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RetriableException) {
            return Response.retry();
        }
        registry.counter("auditkeeper.streams.output.refused", "topic", record.topic()).increment();
        long size = OutputLimits.size(record.key(), record.value(), record.headers());
        if (!(exception instanceof RecordTooLargeException || exception instanceof RecordBatchTooLargeException)) {
            LOG.atError().addKeyValue("topic", record.topic()).addKeyValue("origin", origin(context))
                    .addKeyValue("exception", exception.toString()).log("a record could not be written; failing the stream thread");
            return Response.fail();
        }
        limits.lower(record.topic(), size - 1);
        // the context of an asynchronous refusal is the input being processed when it arrived, not the record's own
        LOG.atError().addKeyValue("topic", record.topic()).addKeyValue("size", size).addKeyValue("sha256", sha256(record.value()))
                .addKeyValue("processing", origin(context))
                .log("a record of " + size + " bytes was refused by " + record.topic() + " (" + exception.getClass().getSimpleName()
                        + "); its limit is now below that, so the record, processed again after the transaction aborts,"
                        + " goes to the dead-letter topic as record-too-large");
        return Response.fail();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        registry.counter("auditkeeper.streams.events.rejected", "reason", DeadLetterReason.UNWRITABLE_EVENT.code()).increment();
        LOG.atError().addKeyValue("topic", record.topic()).addKeyValue("origin", origin(context))
                .addKeyValue("exception", exception.toString()).log("a record could not be serialized; sent to the dead-letter topic");
        if (deadLetterTopic == null || deadLetterTopic.equals(record.topic())) {
            return Response.resume();
        }
        return Response.resume(List.of(deadLetter(context, null, DeadLetterReason.UNWRITABLE_EVENT,
                "the " + origin.name().toLowerCase() + " of a record for " + record.topic() + " could not be serialized: "
                        + exception.getClass().getSimpleName())));
    }

    private ProducerRecord<byte[], byte[]> deadLetter(ErrorHandlerContext context, byte[] key, DeadLetterReason reason,
                                                      String detail) {
        RecordHeaders h = new RecordHeaders();
        if (context != null && context.headers() != null) {
            for (String name : List.of(AuditHeaders.CLUSTER, AuditHeaders.RECEIVED_AT, AuditHeaders.CLIENT)) {
                AuditHeaders.get(context.headers(), name).ifPresent(v -> AuditHeaders.put(h, name, v));
            }
        }
        AuditHeaders.put(h, AuditHeaders.DLQ_REASON, reason.code());
        AuditHeaders.put(h, AuditHeaders.DLQ_DETAIL, detail);
        AuditHeaders.put(h, AuditHeaders.DLQ_SOURCE, DeadLetterSource.STREAM_PROCESSOR.code());
        String origin = origin(context);
        if (origin != null) {
            AuditHeaders.put(h, AuditHeaders.DLQ_ORIGIN, origin);
        }
        return new ProducerRecord<>(deadLetterTopic, null, null, key, new byte[0], h);
    }

    private static String origin(ErrorHandlerContext context) {
        return context == null || context.topic() == null ? null
                : context.topic() + "/" + context.partition() + "/" + context.offset();
    }

    static String sha256(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value == null ? new byte[0] : value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
