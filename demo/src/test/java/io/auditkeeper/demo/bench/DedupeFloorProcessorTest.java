package io.auditkeeper.demo.bench;

import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.streams.topology.AuditTopology;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark's floor must do the dedupe store's work per event, or its ratio would promise too much. */
class DedupeFloorProcessorTest {
    @Test
    void shouldWriteTheStoreAndForwardTheBytesOnceWhenAnEventComesTwice() {
        AtomicLong seen = new AtomicLong();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "floor");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(
                StreamsBenchCommand.dedupeFloorTopology("raw", "out", Duration.ofHours(1), seen), props)) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic("raw", new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic("out", new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<byte[], byte[]> changelog = driver.createOutputTopic("floor-" + AuditTopology.DEDUPE_STORE + "-changelog",
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            Instant t = Instant.parse("2026-11-28T10:00:00Z");
            for (String key : List.of("bench-1", "bench-2", "bench-1")) {
                RecordHeaders headers = new RecordHeaders();
                AuditHeaders.put(headers, AuditHeaders.CLUSTER, "c1");
                in.pipeInput(new TestRecord<>(bytes(key), bytes("{\"event\":\"" + key + "\"}"), headers, t));
            }

            List<TestRecord<byte[], byte[]>> forwarded = out.readRecordsToList();
            assertThat(forwarded).extracting(r -> text(r.key())).containsExactly("c1/bench-1", "c1/bench-2");
            assertThat(forwarded).extracting(r -> text(r.value())).containsExactly("{\"event\":\"bench-1\"}", "{\"event\":\"bench-2\"}");
            assertThat(changelog.readRecordsToList()).as("one store write, and its changelog record, per new event").hasSize(2);
            assertThat(seen.get()).isEqualTo(3);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
