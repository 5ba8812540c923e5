package io.auditkeeper.ingest.http;

import io.auditkeeper.ingest.batch.InvalidBatchException;
import io.auditkeeper.ingest.batch.SplitBatch;
import io.auditkeeper.ingest.kafka.AuditRecordPublisher.Publication;
import io.auditkeeper.ingest.kafka.BatchOrigin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One request's events on their way to Kafka, at any door: counted as they are handed over, and answered once Kafka
 * has acknowledged every record (200, its events and rejected items counted in the metrics then, never before) or
 * has not within {@code limits.ack-timeout-ms} (the door's 503). The request's in-flight bytes are held until then.
 */
public final class KafkaHandover {
    private final DoorExchange exchange;
    private final DoorServices door;
    private final BatchCounts counts = new BatchCounts();
    private final long sendStart = System.nanoTime();

    /** Starts the handover of {@code exchange}'s events: the acknowledgement latency is measured from now. */
    public KafkaHandover(DoorExchange exchange, DoorServices door) {
        this.exchange = exchange;
        this.door = door;
    }

    /** Splits an EventList ({@code eventList[0..length)}) into rounds, each counted and sent through {@code publication}. */
    public void sendRounds(Publication publication, byte[] eventList, int length) throws InvalidBatchException {
        door.splitter().split(eventList, length, round -> {
            counts.add(round);
            return publication.send(eventList, round);
        });
    }

    /** Sends items already rejected ({@code rejected}, cut from {@code items}) to the dead-letter topic, counted. */
    public void sendRejected(Publication publication, byte[] items, SplitBatch rejected) {
        counts.add(rejected);
        publication.send(items, rejected);
    }

    /** Sends one event as it is (key {@code key}, {@code auditkeeper.format} {@code format}), counted. */
    public CompletableFuture<Void> sendEvent(byte[] value, String key, String format, BatchOrigin origin) {
        counts.addEvent();
        return door.publisher().publishEvent(value, key, format, origin);
    }

    /**
     * Once {@code acked} completes within {@code limits.ack-timeout-ms}: the counts go to the metrics and
     * {@code answer} answers with them; otherwise the door's 503. The in-flight bytes are given back first.
     */
    public void answerOnceAcked(CompletableFuture<?> acked, Consumer<BatchCounts> answer) {
        acked.orTimeout(door.ackTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, error) -> {
            exchange.release();
            if (error == null) {
                door.metrics().ackLatency(System.nanoTime() - sendStart);
                door.metrics().accepted(counts.accepted());
                counts.rejectedByReason().forEach((reason, n) -> door.metrics().rejected(reason.code(), n));
                answer.accept(counts);
            } else {
                exchange.fail(exchange.kafkaUnavailable(error), false);
            }
        });
    }
}
