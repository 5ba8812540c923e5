package io.auditkeeper.cli.investigate;

import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.AuditTopics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code auditkeeper replay kafka}: the records of a topic between two times, filtered on the normalized event's
 * fields, printed as NDJSON (the record values exactly as stored, one per line) or published to another topic with
 * their keys, headers and timestamps, for example to run the stream-processor's rules over them again.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replay the records of a Kafka topic whose timestamps are in [--from, --to), filtered,"
                + " as NDJSON on stdout or into --to-topic. Reads committed records only, on every partition, and stops"
                + " at the end time or at the end offsets the topic had when the replay started.",
                "Filters take one value each and may be repeated: values of one filter are alternatives, different"
                + " filters must all match."},
        footer = {ExitCodes.HELP})
public final class ReplayKafkaCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    KafkaOptions kafka;

    @Option(names = "--topic", defaultValue = AuditTopics.EVENTS, description = "Topic to read (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--from", paramLabel = "<date|instant>",
            description = "Start, inclusive: 2026-03-01 (UTC midnight) or 2026-03-01T08:00:00Z. Default: the beginning.")
    String from;

    @Option(names = "--to", paramLabel = "<date|instant>",
            description = "End, exclusive; a date includes that whole day (UTC). Default: the topic's end at start.")
    String to;

    @CommandLine.Mixin
    FilterOptions filters;

    @Option(names = "--to-topic", paramLabel = "<topic>",
            description = "Publish the records to this topic (key, headers and timestamp kept) instead of printing them."
                    + " The topic must exist and keep records as old as the replayed ones (see --record-time).")
    String toTopic;

    @Option(names = "--record-time", paramLabel = "event|now", defaultValue = "event",
            converter = ReplayTarget.RecordTimeConverter.class,
            description = "With --to-topic: the published records keep their original timestamps (event, the default;"
                    + " the target topic's time retention must then keep them) or get the time of the replay (now).")
    ReplayTarget.RecordTime recordTime;

    @Option(names = "--timeout", defaultValue = "30s", paramLabel = "<duration>",
            description = "How long to wait for Kafka's metadata and offsets (default ${DEFAULT-VALUE}).",
            converter = DurationConverter.class)
    Duration timeout;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        TimeWindow window;
        try {
            window = TimeWindow.parse(from, to);
            if (!kafka.hasBootstrap()) {
                throw new IllegalArgumentException("no Kafka: give --bootstrap or set AUDITKEEPER_KAFKA_BOOTSTRAP_SERVERS");
            }
            if (topic.equals(toTopic)) {
                throw new IllegalArgumentException("--to-topic must not be the topic read");
            }
        } catch (IllegalArgumentException e) {
            err.println("auditkeeper replay kafka: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        EventFilter filter = filters.filter();
        KafkaReplay.Progress progress = Terminal.stderrIsTerminal() ? (read, emitted, left, all) -> {
            err.printf("\rreplay: %d records read, %d matched, %d of %d partitions left  ", read, emitted, left, all);
            if (left == 0) {
                err.println();
            }
            err.flush();
        } : null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerSettings(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            KafkaReplay replay = new KafkaReplay(consumer, timeout);
            if (toTopic == null) {
                PrintWriter out = spec.commandLine().getOut();
                replay.run(topic, window, filter, r -> out.println(line(r)), progress);
                out.flush();
                return ExitCodes.OK;
            }
            Optional<String> problem = kafka.targetProblem(toTopic, window, recordTime, timeout);
            if (problem.isPresent()) {
                err.println("auditkeeper replay kafka: " + problem.get());
                return ExitCodes.USAGE;
            }
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerSettings(),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                AtomicReference<Exception> failure = new AtomicReference<>();
                KafkaReplay.Result result = replay.run(topic, window, filter, r -> {
                    if (failure.get() != null) {
                        throw failure.get();
                    }
                    Long time = recordTime == ReplayTarget.RecordTime.NOW ? null : r.timestamp();
                    producer.send(new ProducerRecord<>(toTopic, null, time, r.key(), r.value(), r.headers()),
                            (meta, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                }
                            });
                }, progress);
                producer.flush();
                if (failure.get() != null) {
                    throw failure.get();
                }
                err.printf("auditkeeper replay kafka: %d of %d records published to %s%n", result.emitted(),
                        result.read(), toTopic);
                return ExitCodes.OK;
            }
        } catch (KafkaReplay.UnknownTopicException e) {
            err.println("auditkeeper replay kafka: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (TimeoutException e) {
            err.println("auditkeeper replay kafka: Kafka at " + kafka.bootstrap + " did not answer in " + timeout + ": "
                    + e.getMessage());
            return ExitCodes.UNREACHABLE;
        } catch (KafkaException e) {
            err.println("auditkeeper replay kafka: Kafka refused the replay: " + e.getMessage());
            return ExitCodes.UNREACHABLE;
        } catch (Exception e) {
            err.println("auditkeeper replay kafka: " + e);
            return ExitCodes.UNREACHABLE;
        }
    }

    /** The record's value as one NDJSON line: the stored bytes, unless they span lines (then re-serialized compact). */
    static String line(ConsumerRecord<byte[], byte[]> r) throws java.io.IOException {
        String text = r.value() == null ? "null" : new String(r.value(), StandardCharsets.UTF_8);
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return AuditJson.mapper().readTree(r.value()).toString();
        }
        return text;
    }

    private Map<String, Object> consumerSettings() {
        Map<String, Object> s = kafka.clientSettings();
        s.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap);
        s.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        s.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        s.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        s.put(ConsumerConfig.CLIENT_ID_CONFIG, "auditkeeper-replay");
        s.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return s;
    }

    /** Parses 30s, 500ms, 2m or an ISO-8601 duration. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(java.util.Locale.ROOT);
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            return Duration.parse(value);
        }
    }
}
