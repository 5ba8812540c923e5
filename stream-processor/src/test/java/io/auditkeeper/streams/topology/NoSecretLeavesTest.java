package io.auditkeeper.streams.topology;

import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.streams.StreamProcessorService;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static io.auditkeeper.streams.topology.Events.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * No secret value from any input appears in any output topic: secrets in every shape the apiserver logs them
 * (objects, lists, watch events, merge and JSON patches, token requests and reviews, configmaps in PHI namespaces,
 * an event that goes to the dead-letter topic), mixed with the whole corpus, and every output read back.
 */
class NoSecretLeavesTest {
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    @TempDir
    Path stateDir;
    private final List<String> secrets = new ArrayList<>();

    private String secret() {
        String s = "S3CR3T-" + secrets.size() + "-" + UUID.randomUUID();
        secrets.add(s);
        return s;
    }

    private String encoded() {
        String s = secret();
        String b64 = Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
        secrets.add(b64);
        return b64;
    }

    @Test
    void shouldLetNoSecretValueReachAnyOutputTopic() throws Exception {
        StreamProcessorConfig config = StreamProcessorConfig.of(Map.of("kafka.bootstrap-servers", "unused:9092",
                "phi.namespaces", "phi-*", "streams.state-dir", stateDir.toString()));
        Properties props = StreamProcessorService.streamsProperties(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        List<String> inputs = new ArrayList<>();
        String secretObject = "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"db\",\"namespace\":\"default\","
                + "\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"data\\\":{\\\"p\\\":\\\"" + encoded() + "\\\"}}\"}},"
                + "\"data\":{\"password\":\"" + encoded() + "\"},\"stringData\":{\"user\":\"" + secret() + "\"}}";
        inputs.add(event(id(), "ResponseComplete", "create", "secrets", null, "default", "db", "jane", 201,
                "\"requestObject\":" + secretObject + ",\"responseObject\":" + secretObject.replace("db", "db2")));
        inputs.add(event(id(), "ResponseComplete", "list", "secrets", null, null, null, "jane", 200,
                "\"responseObject\":{\"kind\":\"SecretList\",\"apiVersion\":\"v1\",\"items\":[{\"metadata\":{\"name\":\"a\",\"namespace\":\"phi-x\"},"
                        + "\"data\":{\"k\":\"" + encoded() + "\"}},{\"metadata\":{\"name\":\"b\"},\"stringData\":{\"k\":\"" + secret() + "\"}}]}"));
        inputs.add(event(id(), "ResponseComplete", "watch", "secrets", null, "phi-x", null, "jane", 200,
                "\"responseObject\":{\"type\":\"ADDED\",\"object\":{\"kind\":\"Secret\",\"data\":{\"k\":\"" + encoded() + "\"}}}"));
        inputs.add(event(id(), "ResponseComplete", "patch", "secrets", null, "phi-x", "db", "jane", 200,
                "\"requestObject\":{\"data\":{\"k\":\"" + encoded() + "\"},\"stringData\":{\"u\":\"" + secret() + "\"}}"));
        inputs.add(event(id(), "ResponseComplete", "patch", "secrets", null, "phi-x", "db", "jane", 200,
                "\"requestObject\":[{\"op\":\"replace\",\"path\":\"/data/k\",\"value\":\"" + encoded() + "\"},"
                        + "{\"op\":\"add\",\"path\":\"/stringData\",\"value\":{\"u\":\"" + secret() + "\"}}]"));
        inputs.add(event(id(), "ResponseComplete", "create", "serviceaccounts", "token", "phi-x", "api", "jane", 201,
                "\"responseObject\":{\"kind\":\"TokenRequest\",\"apiVersion\":\"authentication.k8s.io/v1\",\"status\":{\"token\":\"" + secret() + "\"}}"));
        inputs.add(event(id(), "ResponseComplete", "create", "tokenreviews", null, null, null, "system:kube-controller-manager", 201,
                "\"requestObject\":{\"kind\":\"TokenReview\",\"apiVersion\":\"authentication.k8s.io/v1\",\"spec\":{\"token\":\"" + secret() + "\"}},"
                        + "\"responseObject\":{\"kind\":\"TokenReview\",\"apiVersion\":\"authentication.k8s.io/v1\",\"spec\":{\"token\":\"" + secret() + "\"}}"));
        inputs.add(event(id(), "ResponseComplete", "update", "configmaps", null, "phi-x", "cfg", "jane", 200,
                "\"requestObject\":{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"cfg\",\"namespace\":\"phi-x\"},"
                        + "\"data\":{\"dsn\":\"" + secret() + "\"}}"));
        inputs.add("{\"kind\":\"Event\",\"auditID\":\"" + id() + "\",\"verb\":\"create\",\"objectRef\":{\"resource\":\"secrets\"},"
                + "\"requestObject\":{\"kind\":\"Secret\",\"data\":{\"k\":\"" + encoded() + "\"}}}");
        inputs.addAll(Files.readAllLines(Path.of(System.getProperty("auditkeeper.corpus", "../testdata/corpus")).resolve("events.ndjson"))
                .stream().filter(l -> !l.isBlank()).toList());

        List<byte[]> outputs = new ArrayList<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(StreamProcessorService.topology(config, new SimpleMeterRegistry()), props, T0)) {
            TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(config.rawTopic(), new ByteArraySerializer(), new ByteArraySerializer());
            for (String in : inputs) {
                RecordHeaders h = new RecordHeaders();
                AuditHeaders.put(h, AuditHeaders.CLUSTER, "east");
                raw.pipeInput(new TestRecord<>(null, in.getBytes(StandardCharsets.UTF_8), h, T0));
            }
            for (String topic : List.of(config.eventsTopic(), config.phiAccessTopic(), config.alertsTopic(), config.deadLetterTopic())) {
                driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                        .readRecordsToList().forEach(r -> {
                            outputs.add(r.value());
                            r.headers().forEach(h -> outputs.add(h.value()));
                        });
            }
        }

        assertThat(outputs).as("every input produced output").hasSizeGreaterThan(inputs.size());
        String all = String.join("\n", outputs.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
        assertThat(all).contains("[REDACTED]").contains("missing-stage");
        for (String s : secrets) {
            assertThat(all).as("secret value %s", s).doesNotContain(s);
        }
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }
}
