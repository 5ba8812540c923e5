package io.auditkeeper.streams.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.streams.StreamProcessorService;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.auditkeeper.streams.topology.Events.bytes;
import static io.auditkeeper.streams.topology.Events.secretGet;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ingest's clock two hours ahead or behind: the raw records' timestamps and {@code receivedAt} say so (as ingest writes
 * both from its clock). A resend is still dropped, also when the copies reached ingest under different clocks, a new
 * event is still kept, and events far from ingest's clock are marked with {@code clockSkewSeconds} and counted.
 */
class ClockSkewTopologyTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The apiserver's (right) time of the events of {@link Events}: their stageTimestamp, to the second. */
    private static final Instant EVENT_TIME = Instant.parse("2026-11-27T10:00:00Z");

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private SimpleMeterRegistry registry;
    private TestInputTopic<byte[], byte[]> raw;
    private TestOutputTopic<byte[], byte[]> events;

    @BeforeEach
    void start() {
        StreamProcessorConfig config = StreamProcessorConfig.of(Map.of("kafka.bootstrap-servers", "unused:9092",
                "phi.namespaces", "phi-*", "streams.state-dir", stateDir.toString()));
        registry = new SimpleMeterRegistry();
        Properties props = StreamProcessorService.streamsProperties(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(StreamProcessorService.topology(config, registry), props, EVENT_TIME);
        raw = driver.createInputTopic(config.rawTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
                EVENT_TIME, Duration.ZERO);
        events = driver.createOutputTopic(config.eventsTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** As ingest writes a record: its clock's reading in both the header and the record's timestamp. */
    private void receive(String json, Instant ingestClock) {
        RecordHeaders h = new RecordHeaders();
        AuditHeaders.put(h, AuditHeaders.CLUSTER, "east");
        AuditHeaders.put(h, AuditHeaders.RECEIVED_AT, ingestClock.toString());
        AuditHeaders.put(h, AuditHeaders.CLIENT, "mtls:CN=kube-apiserver");
        raw.pipeInput(new TestRecord<>(null, bytes(json), h, ingestClock));
    }

    private List<JsonNode> written() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (byte[] v : events.readValuesToList()) {
            out.add(MAPPER.readTree(v));
        }
        return out;
    }

    private double counted(String name) {
        return registry.get(name).counter().count();
    }

    @ParameterizedTest
    @ValueSource(longs = {2, -2})
    void shouldDropAResendAndKeepANewEventWhenIngestsClockIsSkewedTwoHours(long hours) throws Exception {
        Duration skew = Duration.ofHours(hours);
        receive(secretGet("a-1", "ResponseComplete", "default"), EVENT_TIME.plus(skew));
        receive(secretGet("a-1", "ResponseComplete", "default"), EVENT_TIME.plus(skew).plusSeconds(20));
        receive(secretGet("a-2", "ResponseComplete", "default"), EVENT_TIME.plus(skew).plusSeconds(21));

        assertThat(written()).extracting(e -> e.get("auditID").asText()).containsExactly("a-1", "a-2");
        assertThat(counted("auditkeeper.streams.events.duplicates")).isEqualTo(1.0);
    }

    @ParameterizedTest
    @ValueSource(longs = {2, -2})
    void shouldDropAResendWhenIngestsClockJumpsTwoHoursBetweenTheCopies(long hours) throws Exception {
        Instant jumped = EVENT_TIME.plus(Duration.ofHours(hours));
        receive(secretGet("b-1", "RequestReceived", "default"), EVENT_TIME.plusSeconds(1));
        receive(secretGet("b-1", "ResponseComplete", "default"), EVENT_TIME.plusSeconds(1));
        receive(secretGet("b-1", "RequestReceived", "default"), jumped.plusSeconds(30));
        receive(secretGet("b-1", "ResponseComplete", "default"), jumped.plusSeconds(30));
        receive(secretGet("b-2", "ResponseComplete", "default"), jumped.plusSeconds(31));
        receive(secretGet("b-3", "ResponseComplete", "default"), EVENT_TIME.plusSeconds(40));

        assertThat(written()).extracting(e -> e.get("auditID").asText() + "/" + e.get("stage").asText())
                .containsExactly("b-1/RequestReceived", "b-1/ResponseComplete", "b-2/ResponseComplete",
                        "b-3/ResponseComplete");
        assertThat(counted("auditkeeper.streams.events.duplicates")).isEqualTo(2.0);
    }

    @ParameterizedTest
    @ValueSource(longs = {2, -2})
    void shouldMarkAndCountAnEventWhenIngestsClockIsTwoHoursAway(long hours) throws Exception {
        receive(secretGet("c-1", "ResponseComplete", "default"), EVENT_TIME.plus(Duration.ofHours(hours)));
        receive(secretGet("c-2", "ResponseComplete", "default"), EVENT_TIME.plusSeconds(3));

        List<JsonNode> out = written();

        // stageTimestamp is 10:00:00.000900: receivedAt minus it, in whole seconds toward zero
        assertThat(out.get(0).get("clockSkewSeconds").asLong()).isEqualTo(hours * 3600);
        assertThat(out.get(1).has("clockSkewSeconds")).isFalse();
        assertThat(counted("auditkeeper.streams.events.clock.skewed")).isEqualTo(1.0);
    }

    @Test
    void shouldDropAResendOfAWeekOldEventByWhenItArrivedWhenTheStoreHasMovedPastItsTime() throws Exception {
        String old = secretGet("e-1", "ResponseComplete", "default")
                .replace("2026-11-27T10:00:00.000900Z", "2026-11-20T10:00:00.000900Z");
        receive(secretGet("e-0", "ResponseComplete", "default"), EVENT_TIME);
        receive(old, EVENT_TIME.plusSeconds(1));
        receive(old, EVENT_TIME.plusSeconds(30));

        List<JsonNode> out = written();

        assertThat(out).extracting(e -> e.get("auditID").asText()).containsExactly("e-0", "e-1");
        assertThat(out.get(1).get("clockSkewSeconds").asLong()).isEqualTo(7 * 86_400 + 1);
        assertThat(counted("auditkeeper.streams.events.duplicates")).isEqualTo(1.0);
    }

    @Test
    void shouldMarkAnEventWhenItIsFiveMinutesFromIngestsClockAndNotWhenLess() throws Exception {
        Instant stage = Instant.parse("2026-11-27T10:00:00.000900Z");
        receive(secretGet("d-1", "ResponseComplete", "default"), stage.plus(Duration.ofMinutes(5)).minusMillis(1));
        receive(secretGet("d-2", "ResponseComplete", "default"), stage.plus(Duration.ofMinutes(5)));
        receive(secretGet("d-3", "ResponseComplete", "default"), stage.minus(Duration.ofMinutes(5)));

        List<JsonNode> out = written();

        assertThat(out.get(0).has("clockSkewSeconds")).isFalse();
        assertThat(out.get(1).get("clockSkewSeconds").asLong()).isEqualTo(300);
        assertThat(out.get(2).get("clockSkewSeconds").asLong()).isEqualTo(-300);
        assertThat(counted("auditkeeper.streams.events.clock.skewed")).isEqualTo(2.0);
    }
}
