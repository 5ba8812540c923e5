package io.auditkeeper.cli.investigate;

import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code auditkeeper replay kafka} on the local stack's broker: normalized events with known times and fields, a time
 * window and filters, and exactly the expected events out, on stdout or in another topic.
 */
@ExtendWith(LocalStackExtension.class)
class ReplayKafkaCommandIT {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final int EVENTS = 40;

    /** Event i: one a minute from T0; namespace, verb and rule vary with i so that filters pick known ones. */
    private static String event(int i) {
        String ns = i % 2 == 0 ? "phi-records" : "default";
        String verb = i % 3 == 0 ? "get" : "list";
        String rules = ns.equals("phi-records") && verb.equals("get") ? ",\"phi\":{\"namespace\":true,\"flagged\":true,"
                + "\"rules\":[\"secret-read\"],\"severity\":\"high\"}" : ",\"phi\":{\"namespace\":false,\"flagged\":false}";
        return "{\"schemaVersion\":1,\"cluster\":\"" + (i % 5 == 0 ? "prod-west" : "prod-east") + "\",\"auditID\":\"a-" + i
                + "\",\"stage\":\"ResponseComplete\",\"timestamp\":\"" + T0.plus(Duration.ofMinutes(i)) + "\",\"verb\":\""
                + verb + "\",\"actor\":\"" + (i % 4 == 0 ? "alice" : "bob") + "\",\"objectRef\":{\"resource\":\"secrets\","
                + "\"namespace\":\"" + ns + "\",\"name\":\"db\"}" + rules + "}";
    }

    private static String topic(LocalStack stack) throws Exception {
        String topic = "replay-" + UUID.randomUUID().toString().substring(0, 8);
        TestArchive.createTopic(stack, topic, 3);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
                "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < EVENTS; i++) {
                p.send(new ProducerRecord<>(topic, i % 3, T0.plus(Duration.ofMinutes(i)).toEpochMilli(),
                        ("key-" + i).getBytes(StandardCharsets.UTF_8), event(i).getBytes(StandardCharsets.UTF_8)));
            }
        }
        return topic;
    }

    @Test
    void shouldPrintExactlyTheEventsOfTheWindowThatMatchEveryFilterWhenFiltersAreGiven(LocalStack stack) throws Exception {
        String topic = topic(stack);

        // [10:06, 10:30): i = 6..29; phi-records (even) and get (multiple of 3): 6, 12, 18, 24; secret-read holds for all
        CliRun run = CliRun.of("replay", "kafka", "--bootstrap", stack.kafkaBootstrap(), "--topic", topic,
                "--from", "2026-03-01T10:06:00Z", "--to", "2026-03-01T10:30:00Z",
                "--namespace", "phi-records", "--verb", "get", "--rule", "secret-read", "--resource", "secrets");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).containsExactlyInAnyOrder(event(6), event(12), event(18), event(24));
        assertThat(run.err()).as("no progress line when stderr is not a terminal").isEmpty();
    }

    @Test
    void shouldTakeAlternativesOfOneFilterAndAllFiltersTogetherWhenRepeated(LocalStack stack) throws Exception {
        String topic = topic(stack);

        // whole period; cluster prod-west (multiple of 5) and actor alice (multiple of 4) or ... : 0, 20 (alice); bob: 5,15,25,35,10,30
        CliRun run = CliRun.of("replay", "kafka", "--bootstrap", stack.kafkaBootstrap(), "--topic", topic,
                "--cluster", "prod-west", "--actor", "alice", "--actor", "nobody", "--to", "2026-03-01");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).containsExactlyInAnyOrder(event(0), event(20));
    }

    @Test
    void shouldPublishTheMatchingRecordsWithTheirKeysAndTimesWhenToTopicIsGiven(LocalStack stack) throws Exception {
        String topic = topic(stack);
        String target = topic + ".replayed";
        TestArchive.createTopic(stack, target, 1);

        CliRun run = CliRun.of("replay", "kafka", "--bootstrap", stack.kafkaBootstrap(), "--topic", topic,
                "--from", "2026-03-01T10:00:00Z", "--to", "2026-03-01T10:10:00Z", "--actor", "alice",
                "--to-topic", target);

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).isEmpty();
        List<ConsumerRecord<byte[], byte[]>> got = TestArchive.readAll(stack, target, 3);
        assertThat(got).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder(event(0), event(4), event(8));
        assertThat(got).extracting(r -> new String(r.key(), StandardCharsets.UTF_8) + "@" + Instant.ofEpochMilli(r.timestamp()))
                .containsExactlyInAnyOrder("key-0@" + T0, "key-4@" + T0.plusSeconds(240), "key-8@" + T0.plusSeconds(480));
    }

    @Test
    void shouldRefuseToPublishMonthsOldRecordsIntoAWeekLongTopicUnlessTheyGetTheReplaysTime(LocalStack stack)
            throws Exception {
        String topic = topic(stack);
        String target = topic + ".week";
        String missing = topic + ".missing";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(target, 1, (short) 1).configs(Map.of("retention.ms", "604800000")));
        }
        String[] args = {"replay", "kafka", "--bootstrap", stack.kafkaBootstrap(), "--topic", topic,
                "--from", "2026-03-01T10:00:00Z", "--to", "2026-03-01T10:10:00Z", "--actor", "alice"};

        CliRun refused = CliRun.of(with(args, "--to-topic", target));
        CliRun notThere = CliRun.of(with(args, "--to-topic", missing));
        Instant before = Instant.now();
        CliRun now = CliRun.of(with(args, "--to-topic", target, "--record-time", "now"));

        assertThat(refused.code()).as(refused.err()).isEqualTo(2);
        assertThat(refused.err()).contains("deletes records more than 7 days old").contains("--record-time now");
        assertThat(notThere.code()).as(notThere.err()).isEqualTo(2);
        assertThat(notThere.err()).contains("does not exist");
        assertThat(now.code()).as(now.err()).isZero();
        List<ConsumerRecord<byte[], byte[]>> got = TestArchive.readAll(stack, target, 3);
        assertThat(got).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .as("only the last run published").containsExactlyInAnyOrder(event(0), event(4), event(8));
        assertThat(got).allSatisfy(r -> assertThat(Instant.ofEpochMilli(r.timestamp())).isAfterOrEqualTo(
                before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
            assertThat(admin.listTopics().names().get()).as("a replay creates no topic").doesNotContain(missing);
        }
    }

    private static String[] with(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    @Test
    void shouldExitTwoWhenTheTopicDoesNotExist(LocalStack stack) {
        CliRun run = CliRun.of("replay", "kafka", "--bootstrap", stack.kafkaBootstrap(), "--topic",
                "no-such-" + UUID.randomUUID(), "--timeout", "10s");

        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("does not exist");
    }

}
