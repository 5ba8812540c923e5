package io.auditkeeper.cli.investigate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The topic a replay publishes to, checked before the first record is sent. A replay keeps each record's time (the
 * event's), but a topic with time retention deletes by record time: months-old events replayed into a topic that keeps
 * seven days vanish at the broker's next retention check, and a broker with
 * {@code message.timestamp.before.max.ms} refuses them outright. Either would silently undo an investigation, so the
 * replay refuses to start and says what to change: {@code --record-time now}, {@code retention.ms=-1}, or a later
 * {@code --from}. A replay never creates its target either: the topic's retention is then a choice, not the broker's
 * default.
 */
final class ReplayTarget {
    /** Which time a published record carries. */
    enum RecordTime {
        /** The original record's or event's time (the default): the replay looks like the original. */
        EVENT,
        /** The time of the replay; the event keeps its own time in its body. */
        NOW
    }

    /** Picocli's reading of {@code --record-time event|now}. */
    static final class RecordTimeConverter implements CommandLine.ITypeConverter<RecordTime> {
        @Override
        public RecordTime convert(String value) {
            try {
                return RecordTime.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("must be event or now, not " + value);
            }
        }
    }

    private ReplayTarget() {
    }

    /**
     * Why publishing records as old as {@code oldest} (null: unknown, the beginning) to {@code topic} would lose them,
     * or empty when it would not; a topic that does not exist is a problem too.
     */
    static Optional<String> problem(Admin admin, String topic, Instant oldest, RecordTime recordTime, Instant now,
                                    Duration timeout) throws ExecutionException, InterruptedException,
            java.util.concurrent.TimeoutException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config;
        try {
            config = admin.describeConfigs(List.of(resource)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(resource);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.of("the target topic " + topic + " does not exist. A replay does not create it, so"
                        + " that its retention is chosen: create it first, for example with retention.ms=-1"
                        + " (kafka-topics.sh --create --topic " + topic + " --config retention.ms=-1)");
            }
            throw e;
        }
        Map<String, String> values = new HashMap<>();
        for (ConfigEntry entry : config.entries()) {
            if (entry.value() != null) {
                values.put(entry.name(), entry.value());
            }
        }
        return problem(topic, values, oldest, recordTime, now);
    }

    /** The decision of {@link #problem(Admin, String, Instant, RecordTime, Instant, Duration)} on the topic's configs. */
    static Optional<String> problem(String topic, Map<String, String> config, Instant oldest, RecordTime recordTime,
                                    Instant now) {
        if (recordTime == RecordTime.NOW
                || "LogAppendTime".equalsIgnoreCase(config.getOrDefault("message.timestamp.type", "CreateTime"))) {
            return Optional.empty();
        }
        String fix = " Use --record-time now (the events keep their own time in their body), or a later --from";
        long beforeMax = parseLong(config.get("message.timestamp.before.max.ms"), Long.MAX_VALUE);
        if (beforeMax != Long.MAX_VALUE && (oldest == null || oldest.isBefore(now.minusMillis(beforeMax)))) {
            return Optional.of("the target topic " + topic + " refuses records more than " + human(beforeMax)
                    + " old (message.timestamp.before.max.ms), and the replay " + from(oldest) + "." + fix + ".");
        }
        boolean deletes = config.getOrDefault("cleanup.policy", "delete").contains("delete");
        long retention = parseLong(config.get("retention.ms"), 604_800_000L);
        if (deletes && retention >= 0 && (oldest == null || oldest.isBefore(now.minusMillis(retention)))) {
            return Optional.of("the target topic " + topic + " deletes records more than " + human(retention)
                    + " old by their time (retention.ms), and the replay " + from(oldest) + ": the broker would"
                    + " delete them at its next retention check." + fix + ", or set retention.ms=-1 on " + topic
                    + " (kafka-configs.sh --alter --entity-type topics --entity-name " + topic
                    + " --add-config retention.ms=-1).");
        }
        return Optional.empty();
    }

    private static String from(Instant oldest) {
        return oldest == null ? "starts at the beginning (no --from), so its events may be of any age"
                : "starts at " + oldest;
    }

    private static long parseLong(String value, long otherwise) {
        try {
            return value == null ? otherwise : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static String human(long ms) {
        Duration d = Duration.ofMillis(ms);
        return d.toDays() >= 1 && d.toHours() % 24 == 0 ? d.toDays() + " days" : d.toHours() >= 1 ? d.toHours()
                + " hours" : ms + " ms";
    }
}
