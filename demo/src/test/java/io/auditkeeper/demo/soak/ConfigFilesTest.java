package io.auditkeeper.demo.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.auditkeeper.localstack.S3Endpoint;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigFilesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final S3Endpoint S3 = new S3Endpoint(URI.create("http://127.0.0.1:1"), "us-east-1", "a", "s", true);

    private static JsonNode streams(Fleet.Profile profile) throws Exception {
        return YAML.readTree(ConfigFiles.streamProcessor(profile, "127.0.0.1:9092", Path.of("/tmp/state"), 0));
    }

    private static JsonNode archiver(Fleet.Profile profile) throws Exception {
        return YAML.readTree(ConfigFiles.archiver(profile, "127.0.0.1:9092", S3, URI.create("http://127.0.0.1:2"),
                URI.create("http://127.0.0.1:3"), Path.of("/tmp/key.pem"), Duration.ofSeconds(5), 0));
    }

    @Test
    void shouldGiveTheSoakShortGroupSessionsAStandbyAndOneSecondBatches() throws Exception {
        JsonNode streams = streams(Fleet.Profile.SOAK);
        JsonNode archiver = archiver(Fleet.Profile.SOAK);

        assertThat(streams.at("/kafka/streams/session.timeout.ms").asLong()).isEqualTo(Fleet.SESSION.toMillis());
        assertThat(streams.at("/kafka/streams/num.standby.replicas").asInt()).isEqualTo(1);
        assertThat(streams.at("/application/id").asText()).isEqualTo(Fleet.APPLICATION_ID);
        assertThat(archiver.at("/kafka/client/session.timeout.ms").asLong()).isEqualTo(Fleet.SESSION.toMillis());
        assertThat(archiver.at("/batch/max-age-ms").asLong()).isEqualTo(1000);
        assertThat(archiver.at("/archive/group-id").asText()).isEqualTo(Fleet.ARCHIVE_GROUP);
    }

    @Test
    void shouldGiveTheBenchTheShippedClocksAndItsBatchAge() throws Exception {
        JsonNode streams = streams(Fleet.Profile.BENCH);
        JsonNode archiver = archiver(Fleet.Profile.BENCH);

        assertThat(streams.at("/kafka/streams").isMissingNode()).as("the shipped group settings").isTrue();
        assertThat(streams.at("/streams/threads").asInt()).isEqualTo(2);
        assertThat(archiver.at("/kafka/client").isMissingNode()).isTrue();
        assertThat(archiver.at("/batch/max-age-ms").asLong()).isEqualTo(Fleet.BENCH_BATCH_AGE.toMillis());
        assertThat(archiver.at("/opensearch/url").asText()).isEqualTo("http://127.0.0.1:3");
    }

    @Test
    void shouldServeTheAdminPortOnLoopbackWhenGivenOne() throws Exception {
        JsonNode on = YAML.readTree(ConfigFiles.streamProcessor(Fleet.Profile.BENCH, "127.0.0.1:9092",
                Path.of("/tmp/state"), 4711));
        JsonNode off = streams(Fleet.Profile.SOAK);

        assertThat(on.at("/admin/port").asInt()).isEqualTo(4711);
        assertThat(on.at("/admin/host").asText()).isEqualTo("127.0.0.1");
        assertThat(on.at("/admin/enabled").isMissingNode()).isTrue();
        assertThat(off.at("/admin/enabled").asBoolean(true)).isFalse();
    }
}
