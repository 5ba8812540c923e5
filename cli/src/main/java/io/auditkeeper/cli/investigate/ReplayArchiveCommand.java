package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestFormatException;
import io.auditkeeper.evidence.manifest.ManifestKeyException;
import io.auditkeeper.evidence.manifest.Problem;
import io.auditkeeper.evidence.store.ManifestReader;
import io.auditkeeper.evidence.store.S3ObjectStore;
import io.auditkeeper.model.AuditTopics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code auditkeeper replay archive}: the archived events of any period of the retention, filtered like
 * {@code replay kafka}, as NDJSON or republished to a topic (for instance to run the stream-processor over events Kafka
 * no longer holds). Nothing leaves unverified: each object is checked against its signed manifest entry first, and a
 * failure stops the replay, naming the object, its offsets and what is wrong, unless the investigator chooses to skip
 * such objects; the exit code says so either way.
 */
@Command(name = "archive", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replay the archived events of a topic whose times are in [--from, --to), filtered, as NDJSON on"
                + " stdout or into --to-topic. Objects are read in partition and offset order; each one is verified"
                + " against its manifest entry before any of its lines is emitted: the recorded version, its SHA-256,"
                + " the entry's signature and chain link, and its COMPLIANCE lock.",
                "Filters take one value each and may be repeated: values of one filter are alternatives, different"
                        + " filters must all match."},
        footer = {ExitCodes.HELP})
public final class ReplayArchiveCommand implements Callable<Integer> {
    private static final String NAME = "auditkeeper replay archive: ";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    S3Options s3Options;

    @Option(names = "--topic", defaultValue = AuditTopics.EVENTS, description = "Archived topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--from", paramLabel = "<date|instant>",
            description = "Start, inclusive (event times): 2026-03-01 (UTC midnight) or 2026-03-01T08:00:00Z."
                    + " Default: the beginning.")
    String from;

    @Option(names = "--to", paramLabel = "<date|instant>",
            description = "End, exclusive; a date includes that whole day (UTC). Default: everything archived.")
    String to;

    @Mixin
    FilterOptions filters;

    @Option(names = "--public-key", paramLabel = "<pem>",
            description = "The manifest public key (PEM) held outside the bucket. Default: the bucket's own"
                    + " [<prefix>/]manifests/public-key.pem, which proves less.")
    Path publicKey;

    @Option(names = "--continue-on-error",
            description = "Skip an object that fails verification (reported on stderr) instead of stopping; the exit"
                    + " code is still 1.")
    boolean continueOnError;

    @Option(names = "--to-topic", paramLabel = "<topic>",
            description = "Publish the events to this topic (key <cluster>/<auditID>, timestamp the event's; the topic"
                    + " must exist and keep records that old, see --record-time) instead of"
                    + " printing them.")
    String toTopic;

    @Option(names = "--record-time", paramLabel = "event|now", defaultValue = "event",
            converter = ReplayTarget.RecordTimeConverter.class,
            description = "With --to-topic: records carry the event's time (event, the default; the target topic's"
                    + " time retention must then keep them) or the time of the replay (now).")
    ReplayTarget.RecordTime recordTime;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        TimeWindow window;
        try {
            window = TimeWindow.parse(from, to);
            if (toTopic != null && !kafka.hasBootstrap()) {
                throw new IllegalArgumentException("--to-topic needs Kafka: give --bootstrap or set"
                        + " AUDITKEEPER_KAFKA_BOOTSTRAP_SERVERS");
            }
            if (topic.equals(toTopic)) {
                throw new IllegalArgumentException("--to-topic must not be the archived topic");
            }
        } catch (IllegalArgumentException e) {
            err.println(NAME + e.getMessage());
            return ExitCodes.USAGE;
        }
        try (S3Client s3 = s3Options.client()) {
            PublicKeySource key = PublicKeySource.load(publicKey, s3, s3Options.bucket(), s3Options.layout());
            if (key.fromBucket()) {
                err.println(key.warning("replay archive", "verifying the archive"));
            }
            ManifestReader manifests = new ManifestReader(s3, s3Options.bucket(), s3Options.layout());
            ArchiveReplay replay = new ArchiveReplay(manifests,
                    new ArchivedObjectCheck(key.verifier(), new S3ObjectStore(s3, s3Options.bucket())));
            List<Integer> partitions = replay.partitions(topic);
            if (partitions.isEmpty()) {
                err.println(NAME + "no archive of topic " + topic + " in s3://" + s3Options.bucket() + "/"
                        + s3Options.keyPrefix() + " (no manifests/" + topic + "/)");
                return ExitCodes.USAGE;
            }
            return toTopic == null ? toStdout(replay, partitions, window, err) : toKafka(replay, partitions, window, err);
        } catch (ManifestFormatException e) {
            err.println(NAME + "a manifest of " + topic + " cannot be read: " + e.getMessage());
            return ExitCodes.PROBLEMS;
        } catch (IllegalArgumentException | ManifestKeyException e) {
            err.println(NAME + e.getMessage());
            return ExitCodes.USAGE;
        } catch (SdkException e) {
            return s3Options.failure(e, err, NAME);
        } catch (KafkaException e) {
            err.println(NAME + "Kafka refused the replay: " + e.getMessage());
            return ExitCodes.UNREACHABLE;
        } catch (Exception e) {
            err.println(NAME + e);
            return ExitCodes.UNREACHABLE;
        }
    }

    private int toStdout(ArchiveReplay replay, List<Integer> partitions, TimeWindow window, PrintWriter err)
            throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ArchiveReplay.Result result = replay.run(topic, partitions, window, filters.filter(), continueOnError,
                e -> out.println(e.line()), new Reporter(err));
        out.flush();
        return finish(result, err, null);
    }

    private int toKafka(ArchiveReplay replay, List<Integer> partitions, TimeWindow window, PrintWriter err)
            throws Exception {
        Optional<String> problem = kafka.targetProblem(toTopic, window, recordTime, Duration.ofSeconds(30));
        if (problem.isPresent()) {
            err.println(NAME + problem.get());
            return ExitCodes.USAGE;
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerSettings(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            AtomicReference<Exception> failure = new AtomicReference<>();
            ArchiveReplay.Result result = replay.run(topic, partitions, window, filters.filter(), continueOnError, e -> {
                if (failure.get() != null) {
                    throw failure.get();
                }
                Long time = recordTime == ReplayTarget.RecordTime.NOW ? null : timestamp(e.event());
                producer.send(new ProducerRecord<>(toTopic, null, time, key(e.event()),
                        e.line().getBytes(StandardCharsets.UTF_8)), (meta, x) -> {
                            if (x != null) {
                                failure.compareAndSet(null, x);
                            }
                        });
            }, new Reporter(err));
            producer.flush();
            if (failure.get() != null) {
                throw failure.get();
            }
            return finish(result, err, toTopic);
        }
    }

    private int finish(ArchiveReplay.Result r, PrintWriter err, String target) {
        if (target != null) {
            err.printf(NAME + "%d of %d events published to %s%n", r.emitted(), r.read(), target);
        }
        if (r.stopped()) {
            err.println(NAME + "STOPPED after " + r.replayed() + " of " + r.objects() + " objects: an object failed"
                    + " verification (above); nothing of it was emitted. --continue-on-error skips such objects.");
        } else if (r.failed() > 0) {
            err.println(NAME + "FAILED: " + r.failed() + " of " + r.objects() + " objects failed verification and"
                    + " were skipped (above); the other " + r.replayed() + " were replayed.");
        }
        err.flush();
        return r.failed() > 0 ? ExitCodes.PROBLEMS : ExitCodes.OK;
    }

    /** The key the stream-processor gives an event on audit.events, {@code <cluster>/<auditID>}; null without them. */
    static byte[] key(JsonNode event) {
        if (event == null || !event.path("cluster").isTextual() || !event.path("auditID").isTextual()) {
            return null;
        }
        return (event.path("cluster").asText() + "/" + event.path("auditID").asText()).getBytes(StandardCharsets.UTF_8);
    }

    /** The event's time as the record timestamp; null (the producer's clock) when it has none. */
    static Long timestamp(JsonNode event) {
        if (event == null || !event.path("timestamp").isTextual()) {
            return null;
        }
        try {
            return Instant.parse(event.path("timestamp").asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Prints failures and notes on stderr, and a progress line there when it is a terminal. */
    static final class Reporter implements ArchiveReplay.Listener {
        private final PrintWriter err;
        private final String name;
        private final boolean terminal = Terminal.stderrIsTerminal();

        Reporter(PrintWriter err) {
            this(err, NAME);
        }

        /** {@code name} starts each line: {@code "auditkeeper rehydrate: "}. */
        Reporter(PrintWriter err, String name) {
            this.err = err;
            this.name = name;
        }

        @Override
        public void failed(ManifestEntry entry, List<Problem> problems, boolean skipped) {
            if (terminal) {
                err.println();
            }
            err.println(name + (skipped ? "SKIPPED " : "FAILED ") + entry.key() + " (" + entry.topicPartition()
                    + " offsets " + entry.firstOffset() + "-" + entry.lastOffset() + "): verification failed");
            for (Problem p : problems) {
                err.println("  " + p.kind() + " " + p.key() + " offsets " + p.firstOffset() + "-" + p.lastOffset()
                        + ": " + p.detail());
            }
            err.flush();
        }

        @Override
        public void unreadable(Problem problem, boolean skipped) {
            if (terminal) {
                err.println();
            }
            err.println(name + (skipped ? "SKIPPED " : "FAILED ") + problem.key() + " (offsets " + problem.firstOffset()
                    + "-" + problem.lastOffset() + "): " + problem.kind() + ": " + problem.detail());
            err.flush();
        }

        @Override
        public void noted(ManifestEntry entry, Problem notice) {
            if (terminal) {
                err.println();
            }
            err.println(name + "note: " + notice.kind() + " " + notice.key() + " offsets " + notice.firstOffset() + "-"
                    + notice.lastOffset() + ": " + notice.detail() + "; replaying the recorded version");
            err.flush();
        }

        @Override
        public void progress(int objectsDone, int objects, long read, long emitted) {
            if (!terminal) {
                return;
            }
            err.printf("\rreplay: %d of %d objects verified and read, %d events read, %d matched  ", objectsDone,
                    objects, read, emitted);
            if (objectsDone == objects) {
                err.println();
            }
            err.flush();
        }
    }
}
