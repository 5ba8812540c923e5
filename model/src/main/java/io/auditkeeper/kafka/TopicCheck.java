package io.auditkeeper.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Compares the topics a service uses, existing ones included, with what it needs of them, at start: a topic created
 * by hand or by an older release may have drifted from what {@link TopicBootstrap} would create, and the symptom comes
 * much later (a record refused as too large, an acknowledgement resting on one broker, events expired before the
 * archiver read them). Checked: {@code max.message.bytes} against the largest record the service writes there, the
 * replication factor of every partition and {@code min.insync.replicas} against the configured production values, and
 * {@code retention.ms} against a configured minimum ({@code -1}, infinite, is always enough). Every mismatch is listed
 * in one message, naming the topic, the setting, its value and the value wanted; {@code topics.check} decides whether
 * it stops startup, is logged as a warning, or is not looked for.
 */
public final class TopicCheck {
    /** What {@code topics.check} asks for when a topic does not fit. */
    public enum Mode {
        FAIL, WARN, OFF;

        public static Mode of(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    /** The service's {@code topics.check}, {@code topics.min-insync-replicas} and {@code topics.min-retention-ms}. */
    public record Settings(Mode mode, int minInsyncReplicas, long minRetentionMs) {
        /** What a topic the service uses must have; 0 for {@code maxMessageBytes} or {@code replicationFactor}: any. */
        public Wanted wanted(String topic, long maxMessageBytes, int replicationFactor) {
            return new Wanted(topic, maxMessageBytes, Math.max(replicationFactor, minInsyncReplicas), minInsyncReplicas,
                    minRetentionMs);
        }
    }

    /** The least a service needs of one topic; 0 (or less) leaves that setting unchecked. */
    public record Wanted(String topic, long maxMessageBytes, int replicationFactor, int minInsyncReplicas,
                         long minRetentionMs) {
    }

    /** A topic as the cluster has it: its replication factor is the smallest of its partitions'. */
    public record Described(String topic, long maxMessageBytes, int replicationFactor, int minInsyncReplicas,
                            long retentionMs) {
    }

    /** One setting of one topic that does not fit. */
    public record Mismatch(String topic, String setting, long value, long wanted) {
        @Override
        public String toString() {
            return "topic " + topic + ": " + setting + " is " + value + ", wanted at least " + wanted;
        }
    }

    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String REPLICATION_FACTOR = "replication.factor";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String RETENTION_MS = "retention.ms";

    /** How long a topic just created may stay unknown to the broker asked, before the check gives up. */
    public static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(30);
    private static final long RETRY_BACKOFF_MS = 200;

    private static final Logger LOG = LoggerFactory.getLogger(TopicCheck.class);

    private TopicCheck() {
    }

    /** The settings among {@code wanted} that {@code described} does not meet; a topic not described is skipped. */
    public static List<Mismatch> compare(Map<String, Described> described, List<Wanted> wanted) {
        List<Mismatch> out = new ArrayList<>();
        for (Wanted w : wanted) {
            Described d = described.get(w.topic());
            if (d == null) {
                continue;
            }
            if (w.maxMessageBytes() > 0 && d.maxMessageBytes() < w.maxMessageBytes()) {
                out.add(new Mismatch(w.topic(), MAX_MESSAGE_BYTES, d.maxMessageBytes(), w.maxMessageBytes()));
            }
            if (w.replicationFactor() > 0 && d.replicationFactor() < w.replicationFactor()) {
                out.add(new Mismatch(w.topic(), REPLICATION_FACTOR, d.replicationFactor(), w.replicationFactor()));
            }
            if (w.minInsyncReplicas() > 0 && d.minInsyncReplicas() < w.minInsyncReplicas()) {
                out.add(new Mismatch(w.topic(), MIN_INSYNC_REPLICAS, d.minInsyncReplicas(), w.minInsyncReplicas()));
            }
            if (w.minRetentionMs() > 0 && d.retentionMs() >= 0 && d.retentionMs() < w.minRetentionMs()) {
                out.add(new Mismatch(w.topic(), RETENTION_MS, d.retentionMs(), w.minRetentionMs()));
            }
        }
        return out;
    }

    /**
     * Describes {@code wanted}'s topics and compares them. With {@link Mode#FAIL} a mismatch throws one
     * {@link IllegalStateException} listing them all; with {@link Mode#WARN} it is logged; {@link Mode#OFF} does
     * nothing. A topic that does not exist is not checked (the service that creates it checks it).
     *
     * @return the mismatches found (empty with {@link Mode#OFF})
     */
    public static List<Mismatch> check(Admin admin, List<Wanted> wanted, Mode mode, String service) {
        if (mode == Mode.OFF || wanted.isEmpty()) {
            return List.of();
        }
        Map<String, Described> described = describe(admin, wanted.stream().map(Wanted::topic).toList());
        List<Mismatch> mismatches = compare(described, wanted);
        Set<String> missing = wanted.stream().map(Wanted::topic).filter(t -> !described.containsKey(t))
                .collect(Collectors.toCollection(TreeSet::new));
        if (!missing.isEmpty()) {
            LOG.atInfo().addKeyValue("topics", String.join(",", missing)).log("topics not checked: they do not exist yet");
        }
        if (mismatches.isEmpty()) {
            return mismatches;
        }
        String message = service + ": Kafka topics do not have the settings it needs (docs/operations.md, \"Topic"
                + " settings\"; topics.check=" + mode.name().toLowerCase(Locale.ROOT)
                + (mode == Mode.FAIL ? ", warn would start anyway" : ", starting anyway") + "): "
                + mismatches.stream().map(Mismatch::toString).collect(Collectors.joining("; "));
        if (mode == Mode.FAIL) {
            throw new IllegalStateException(message);
        }
        LOG.warn(message);
        return mismatches;
    }

    /**
     * The topics among {@code topics} that exist, as the cluster has them. A topic created a moment ago may be listed
     * by one broker before another can describe it (its metadata is still spreading); such a retriable answer is
     * asked again until {@link #DESCRIBE_TIMEOUT} has passed.
     */
    public static Map<String, Described> describe(Admin admin, Collection<String> topics) {
        long deadline = System.nanoTime() + DESCRIBE_TIMEOUT.toNanos();
        while (true) {
            try {
                return describeOnce(admin, topics);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot describe Kafka topics " + new TreeSet<>(topics) + ": "
                            + (e.getCause() == null ? e : e.getCause()), e);
                }
                LOG.atInfo().addKeyValue("cause", e.getCause().getClass().getSimpleName())
                        .log("topics not yet described by every broker, asking again");
                pause();
            } catch (TimeoutException e) {
                throw new IllegalStateException("cannot describe Kafka topics " + new TreeSet<>(topics)
                        + ": no answer in " + DESCRIBE_TIMEOUT.toSeconds() + " s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while describing topics", e);
            }
        }
    }

    private static Map<String, Described> describeOnce(Admin admin, Collection<String> topics)
            throws ExecutionException, TimeoutException, InterruptedException {
        Set<String> names = new TreeSet<>(topics);
        names.retainAll(admin.listTopics().names().get(30, TimeUnit.SECONDS));
        if (names.isEmpty()) {
            return Map.of();
        }
        Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames()
                .get(30, TimeUnit.SECONDS);
        List<ConfigResource> resources = names.stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
        Map<String, Described> out = new LinkedHashMap<>();
        for (ConfigResource r : resources) {
            Config c = configs.get(r);
            int rf = descriptions.get(r.name()).partitions().stream()
                    .mapToInt(p -> p.replicas().size()).min().orElse(0);
            out.put(r.name(), new Described(r.name(), number(c, MAX_MESSAGE_BYTES), rf,
                    (int) number(c, MIN_INSYNC_REPLICAS), number(c, RETENTION_MS)));
        }
        return out;
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(RETRY_BACKOFF_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topics", e);
        }
    }

    private static long number(Config config, String name) {
        ConfigEntry e = config.get(name);
        if (e == null || e.value() == null) {
            throw new IllegalStateException("the broker did not describe " + name);
        }
        return Long.parseLong(e.value().trim());
    }
}
