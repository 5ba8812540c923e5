package io.auditkeeper.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes sure the topics a service writes to exist before it takes any input: creates a missing one with the configured
 * partitions, replication and retention, or stops startup with a message that names it.
 *
 * <p>A topic is created with {@value #TIMESTAMP_AFTER_MAX_MS} unlimited: since Kafka 4 a broker refuses a record whose
 * timestamp is more than an hour ahead of its own clock, so an ingest host whose clock runs fast would have every
 * batch refused (503, and the apiserver gives up on it after its retries). Audit records are kept whatever the clocks
 * say; the stream-processor marks and counts events far from ingest's clock (docs/schema.md, {@code clockSkewSeconds}).
 * Existing topics are not changed: docs/operations.md, "Clocks", says how to set it on them. {@link TopicCheck} then
 * compares every topic the service uses with what it needs.
 */
public final class TopicBootstrap {
    /** How a topic is created when it is missing; a replication factor of -1 takes the broker's default. */
    public record TopicSettings(String name, int partitions, short replicationFactor, long retentionMs) {
    }

    /** The topic config that bounds how far ahead of the broker's clock a record's timestamp may be. */
    public static final String TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";

    private static final Logger LOG = LoggerFactory.getLogger(TopicBootstrap.class);

    private TopicBootstrap() {
    }

    /**
     * The topics' names. A broker that drops the connection while the service starts (restarting, overloaded) answers
     * with a retriable error at once; that is asked again for up to 30 s in all, as the admin client does for a slow
     * answer, rather than failing the start on a blip.
     */
    private static Set<String> listTopics(Admin admin) throws ExecutionException, TimeoutException,
            InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long left = deadline - System.nanoTime();
            try {
                return admin.listTopics().names().get(Math.max(left, 1), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)
                        || System.nanoTime() > deadline - TimeUnit.MILLISECONDS.toNanos(500)) {
                    throw e;
                }
                LOG.atInfo().addKeyValue("cause", e.getCause().getClass().getSimpleName())
                        .log("listing Kafka topics failed for now, asking again");
                TimeUnit.MILLISECONDS.sleep(500);
            }
        }
    }

    public static void ensureTopics(Admin admin, List<TopicSettings> topics, boolean create, long maxMessageBytes) {
        ensureTopics(admin, topics, create, maxMessageBytes, 1);
    }

    /**
     * As {@link #ensureTopics(Admin, List, boolean, long)}; a topic it creates gets {@code min.insync.replicas} when
     * {@code minInsyncReplicas} is above 1 (at 1 the broker's own default, possibly higher, stays).
     */
    public static void ensureTopics(Admin admin, List<TopicSettings> topics, boolean create, long maxMessageBytes,
                                    int minInsyncReplicas) {
        Set<String> existing;
        try {
            existing = listTopics(admin);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list Kafka topics (is kafka.bootstrap-servers reachable?): " + rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        }
        for (TopicSettings t : topics) {
            if (existing.contains(t.name())) {
                continue;
            }
            if (!create) {
                throw new IllegalStateException("topic " + t.name() + " does not exist and topics.create=false");
            }
            NewTopic nt = new NewTopic(t.name(), Optional.of(t.partitions()),
                    t.replicationFactor() < 0 ? Optional.empty() : Optional.of(t.replicationFactor()))
                    .configs(configs(t, maxMessageBytes, minInsyncReplicas));
            try {
                admin.createTopics(List.of(nt)).all().get(30, TimeUnit.SECONDS);
                LOG.atInfo().addKeyValue("topic", t.name()).addKeyValue("partitions", t.partitions())
                        .log("created topic");
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + t.name() + ": " + rootMessage(e), e);
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("cannot create topic " + t.name() + ": timed out", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + t.name(), e);
            }
        }
    }

    private static Map<String, String> configs(TopicSettings t, long maxMessageBytes, int minInsyncReplicas) {
        Map<String, String> c = new HashMap<>(Map.of("retention.ms", Long.toString(t.retentionMs()),
                "max.message.bytes", Long.toString(maxMessageBytes),
                "cleanup.policy", "delete",
                TIMESTAMP_AFTER_MAX_MS, Long.toString(Long.MAX_VALUE)));
        if (minInsyncReplicas > 1) {
            c.put(TopicCheck.MIN_INSYNC_REPLICAS, Integer.toString(minInsyncReplicas));
        }
        return c;
    }

    private static String rootMessage(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }
}
