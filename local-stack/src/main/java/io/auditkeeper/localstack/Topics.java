package io.auditkeeper.localstack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Creates topics for the tests and returns only once the broker leads every partition of each. Why: a produce to a
 * partition the broker does not lead yet is retried by the producer, and once (CI, 2026-11-27) such a retry ended in
 * OUT_OF_ORDER_SEQUENCE_NUMBER and 31 records never written, which a test then reported minutes later as a wrong count.
 */
public final class Topics {
    private static final Duration LEADERS_TIMEOUT = Duration.ofSeconds(30);

    private Topics() {
    }

    /** Creates {@code topics} and waits until each of their partitions has a leader; fails after 30 seconds. */
    public static void createAndAwaitLeaders(Admin admin, NewTopic... topics) throws ExecutionException, InterruptedException {
        List<NewTopic> all = Arrays.asList(topics);
        admin.createTopics(all).all().get();
        for (NewTopic t : all) {
            if (!Waits.until(LEADERS_TIMEOUT, Duration.ofMillis(20), () -> everyPartitionLed(admin, t))) {
                throw new IllegalStateException("the broker did not lead every partition of " + t.name() + " within "
                        + LEADERS_TIMEOUT.toSeconds() + " s");
            }
        }
    }

    private static boolean everyPartitionLed(Admin admin, NewTopic topic) {
        try {
            Map<String, TopicDescription> described = admin.describeTopics(List.of(topic.name())).allTopicNames().get();
            TopicDescription d = described.get(topic.name());
            return d != null && (topic.numPartitions() < 0 || d.partitions().size() == topic.numPartitions())
                    && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw new IllegalStateException("describing " + topic.name() + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
