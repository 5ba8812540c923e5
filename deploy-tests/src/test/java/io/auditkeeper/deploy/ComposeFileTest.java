package io.auditkeeper.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.ingest.config.IngestConfig;
import io.auditkeeper.notifier.config.NotifierConfig;
import io.auditkeeper.localstack.RequiredTool;
import io.auditkeeper.source.aks.config.AksSourceConfig;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The top-level docker-compose.yml: `docker compose config` (Compose v2) or `docker-compose config` (v1) where either
 * exists; everywhere, its structure, its hardening and the settings it passes to the services.
 */
class ComposeFileTest {
    private static final Path COMPOSE = Repo.ROOT.resolve("docker-compose.yml");
    private static final Set<String> OURS = Set.of("ingest", "stream-processor", "archiver", "source-aks", "notifier");

    /**
     * The file as Compose reads it: SnakeYAML (which Jackson's YAML module is built on) resolves the {@code &anchor},
     * {@code *alias} and {@code <<} merge keys that Jackson's tree reader leaves unresolved.
     */
    private static JsonNode compose() {
        try {
            Object tree = new org.yaml.snakeyaml.Yaml().load(Files.readString(COMPOSE));
            return new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(tree);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> env(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode e = service.path("environment");
        if (e.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = e.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                env.put(f.getKey(), f.getValue().asText());
            }
        } else {
            for (JsonNode item : e) {
                String[] kv = item.asText().split("=", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return env;
    }

    private static JsonNode merged(JsonNode root, String name) {
        return root.path("services").path(name);
    }

    /**
     * {@code docker compose config} (Compose v2) where the plugin exists, else Debian's {@code docker-compose} 1.29
     * (which {@code ./auditkeeper} installs): both validate the file against the Compose schema offline. v1 does not
     * know the top-level {@code name:}, so it reads a copy without that one line, from the repository root
     * (--project-directory) so that build contexts and secret files resolve as they do for v2.
     */
    @Test
    void shouldBeAcceptedByDockerCompose(@TempDir Path tmp) throws Exception {
        Repo.Result r = composeConfig(Files.readString(COMPOSE), tmp);
        assertThat(r.exit()).as("%s: %s", r.out(), r.err()).isZero();
    }

    /** The same check fails on a service with a key Compose does not know, so the test above can fail. */
    @Test
    void shouldBeRejectedByDockerComposeWithAnUnknownServiceKey(@TempDir Path tmp) throws Exception {
        String broken = Files.readString(COMPOSE).replaceFirst("(?m)^(services:\\n  [a-z-]+:\\n)", "$1    not_a_compose_key: true\n");
        assertThat(broken).contains("not_a_compose_key");
        Repo.Result r = composeConfig(broken, tmp);
        assertThat(r.exit()).as("%s accepted a service key that does not exist", r.out()).isNotZero();
        assertThat(r.err()).contains("not_a_compose_key");
    }

    /**
     * Runs the available Compose's {@code config} on {@code text}; when there is no Compose at all, skips the test, or
     * fails it in CI.
     */
    private static Repo.Result composeConfig(String text, Path tmp) throws java.io.IOException {
        Repo.Result v2 = Repo.run(Repo.ROOT, "docker", "compose", "version");
        if (v2 != null && v2.exit() == 0) {
            Path file = Files.writeString(tmp.resolve("docker-compose.yml"), text);
            return Repo.run(Repo.ROOT, "docker", "compose", "-f", file.toString(), "--project-directory",
                    Repo.ROOT.toString(), "config", "--quiet");
        }
        Repo.Result v1 = Repo.run(Repo.ROOT, "docker-compose", "version");
        RequiredTool.assumeInstalled(v1 != null && v1.exit() == 0, "Compose (neither `docker compose` nor `docker-compose`)",
                "Debian: apt-get install --no-install-recommends docker-compose; ./auditkeeper installs it");
        Path file = Files.writeString(tmp.resolve("docker-compose.yml"), withoutTopLevelName(text));
        return Repo.run(Repo.ROOT, "docker-compose", "-f", file.toString(), "--project-directory", Repo.ROOT.toString(),
                "config", "-q");
    }

    /** The file without its top-level {@code name:} line, which Compose v1 rejects; nothing else changes. */
    static String withoutTopLevelName(String text) {
        return text.replaceFirst("(?m)^name:[^\\n]*\\n", "");
    }

    @Test
    void shouldRemoveOnlyTheTopLevelName() throws Exception {
        String text = Files.readString(COMPOSE);
        String v1 = withoutTopLevelName(text);
        assertThat(text).containsPattern("(?m)^name: ");
        assertThat(v1).doesNotContainPattern("(?m)^name:");
        assertThat(text.lines().filter(l -> !l.startsWith("name:")).toList()).isEqualTo(v1.lines().toList());
    }

    @Test
    void shouldRunTheWholeStackWithPinnedImagesAndHealthChecks() {
        JsonNode root = compose();
        List<String> names = new ArrayList<>();
        root.path("services").fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("kafka", "minio", "opensearch", "opensearch-dashboards",
                "ingest", "stream-processor", "archiver", "source-aks", "notifier");
        // source-aks and the notifier are optional (profiles aks, notifier): `docker compose up` without --profile
        // starts the same stack as before
        for (String name : names) {
            assertThat(root.path("services").path(name).path("profiles").toString()).as("%s profiles", name)
                    .isEqualTo(name.equals("source-aks") ? "[\"aks\"]" : name.equals("notifier") ? "[\"notifier\"]" : "");
        }
        assertThat(root.path("services").path("kafka").path("image").asText()).matches("apache/kafka:\\d+\\.\\d+\\.\\d+");
        assertThat(env(root.path("services").path("kafka"))).containsEntry("KAFKA_PROCESS_ROLES", "broker,controller");
        for (String name : names) {
            JsonNode s = merged(root, name);
            String image = s.path("image").asText("");
            if (OURS.contains(name)) {
                assertThat(s.path("build").path("dockerfile").asText()).isEqualTo("deploy/docker/" + name + "/Dockerfile");
            } else {
                assertThat(image).as("%s image", name).matches("[^:@]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})").doesNotEndWith(":latest");
            }
            assertThat(s.path("privileged").asBoolean(false)).as("%s privileged", name).isFalse();
            assertThat(s.path("network_mode").asText("")).as("%s network_mode", name).isNotEqualTo("host");
            assertThat(s.path("pid").asText("")).as("%s pid", name).isNotEqualTo("host");
            assertThat(s.path("cap_add").isMissingNode()).as("%s cap_add", name).isTrue();
            assertThat(s.path("healthcheck").path("test").isArray()).as("%s healthcheck", name).isTrue();
            for (JsonNode v : s.path("volumes")) {
                assertThat(v.asText()).as("%s bind-mounts the Docker socket", name).doesNotContain("docker.sock");
            }
            for (JsonNode p : s.path("ports")) {
                assertThat(p.asText()).as("%s publishes only on loopback", name).startsWith("127.0.0.1:");
            }
            for (Map.Entry<String, String> e : env(s).entrySet()) {
                boolean credential = ManifestPolicy.SECRET_NAME.matcher(e.getKey()).matches()
                        && !ManifestPolicy.SECRET_NAME_EXCEPTION.matcher(e.getKey()).matches();
                assertThat(credential && !e.getValue().startsWith("${"))
                        .as("%s: %s is a credential written into the compose file; mount it as a secret file", name, e.getKey())
                        .isFalse();
                assertThat(e.getValue()).as("%s: %s", name, e.getKey()).doesNotContain("PRIVATE KEY");
            }
        }
        assertThat(root.path("networks").path("backend").path("internal").asBoolean()).as("backend network internal").isTrue();
    }

    @Test
    void shouldHardenTheAuditKeeperContainers() {
        JsonNode root = compose();
        for (String name : OURS) {
            JsonNode s = merged(root, name);
            assertThat(s.path("user").asText()).as(name).isEqualTo("65532:65532");
            assertThat(s.path("read_only").asBoolean()).as(name).isTrue();
            assertThat(s.path("cap_drop").toString()).as(name).contains("\"ALL\"");
            assertThat(s.path("security_opt").toString()).as(name).contains("no-new-privileges:true");
            assertThat(s.path("tmpfs").toString()).as(name).contains("/tmp");
            assertThat(s.path("healthcheck").path("test").toString()).as(name).contains("io.auditkeeper.admin.HealthProbe");
        }
        Map<String, String> ingest = env(merged(root, "ingest"));
        assertThat(ingest).containsKeys("AUDITKEEPER_INGEST_TLS_CERT_FILE", "AUDITKEEPER_INGEST_TLS_KEY_FILE", "AUDITKEEPER_INGEST_AUTH_CLIENT_CA_FILE")
                .containsEntry("AUDITKEEPER_INGEST_AUTH_MODE", "mtls")
                .doesNotContainKey("AUDITKEEPER_INGEST_LISTEN_PLAINTEXT");
        assertThat(merged(root, "stream-processor").path("volumes").toString()).contains(":/var/lib/auditkeeper/streams");
        // the secrets are generated files, git-ignored
        root.path("secrets").forEach(sec -> assertThat(sec.path("file").asText()).startsWith("deploy/compose/generated/"));
        assertThat(KubernetesManifestsTest.read(Repo.ROOT.resolve(".gitignore"))).contains("deploy/compose/generated/");
    }

    @Test
    void shouldPassOnlySettingsTheServicesAccept() {
        JsonNode root = compose();
        List<String> problems = new ArrayList<>();
        for (String name : OURS) {
            Map<String, String> env = env(merged(root, name));
            ServiceSettings.Service service = ServiceSettings.SERVICES.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
            problems.addAll(ServiceSettings.problems("docker-compose.yml " + name, service, env));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldRejectAnUnknownOrInvalidVariable() {
        ServiceSettings.Service ingest = ServiceSettings.SERVICES.get(0);
        assertThat(ServiceSettings.problems("x", ingest, Map.of(
                "AUDITKEEPER_INGEST_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "AUDITKEEPER_INGEST_TLS_CERTFILE", "/x")))
                .singleElement().asString().contains("AUDITKEEPER_INGEST_TLS_CERTFILE");
        assertThat(ServiceSettings.problems("x", ingest, Map.of(
                "AUDITKEEPER_INGEST_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "AUDITKEEPER_INGEST_AUTH_MODE", "trust-me")))
                .singleElement().asString().contains("AUDITKEEPER_INGEST_AUTH_MODE");
        assertThat(ServiceSettings.problems("x", ServiceSettings.SERVICES.get(2), Map.of(
                "AUDITKEEPER_ARCHIVER_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")))
                .anyMatch(p -> p.contains("s3.bucket")).anyMatch(p -> p.contains("manifest.signing-key-file"));
    }

    /**
     * With OpenSSL: runs deploy/compose/gen-secrets.sh into a scratch copy and loads each service's real configuration
     * class with the compose environment, /run/secrets/* pointing at the generated files: the certificates, keys and
     * signing key it writes are ones the services read.
     */
    @Test
    void shouldStartEachServiceConfigFromTheGeneratedSecrets(@TempDir Path tmp) throws Exception {
        Repo.Result ssl = Repo.run(Repo.ROOT, "openssl", "version");
        RequiredTool.assumeInstalled(ssl != null && ssl.exit() == 0, "openssl",
                "Debian: apt-get install openssl; ./auditkeeper installs it");
        Path script = tmp.resolve("gen-secrets.sh");
        Files.copy(Repo.DEPLOY.resolve("compose/gen-secrets.sh"), script);
        Repo.Result r = Repo.run(tmp, "sh", script.toString());
        assertThat(r.exit()).as("gen-secrets.sh: %s", r.err()).isZero();
        Path generated = tmp.resolve("generated");
        JsonNode root = compose();
        Map<String, Path> secretFiles = new LinkedHashMap<>();
        root.path("secrets").fields().forEachRemaining(f -> secretFiles.put("/run/secrets/" + f.getKey(),
                generated.resolve(Path.of(f.getValue().path("file").asText()).getFileName())));
        for (Path p : secretFiles.values()) {
            assertThat(p).as("gen-secrets.sh writes every file compose mounts").isRegularFile();
        }
        Map<String, Map<String, String>> envs = new LinkedHashMap<>();
        for (String name : OURS) {
            Map<String, String> env = new LinkedHashMap<>();
            env(merged(root, name)).forEach((k, v) -> {
                if (k.startsWith("AUDITKEEPER_")) {
                    env.put(k, secretFiles.containsKey(v) ? secretFiles.get(v).toString() : v);
                }
            });
            envs.put(name, env);
        }
        assertThatCode(() -> IngestConfig.load(null, envs.get("ingest"))).doesNotThrowAnyException();
        assertThatCode(() -> StreamProcessorConfig.load(null, envs.get("stream-processor"))).doesNotThrowAnyException();
        assertThatCode(() -> ArchiverConfig.load(null, envs.get("archiver"))).doesNotThrowAnyException();
        // source-aks: the connection string is the operator's (Azure); gen-secrets.sh leaves an empty file
        assertThat(generated.resolve("event-hubs-connection-string")).isEmptyFile();
        Files.writeString(generated.resolve("event-hubs-connection-string"),
                "Endpoint=sb://example-namespace.servicebus.windows.net/;SharedAccessKeyName=auditkeeper-listen;SharedAccessKey=abc=\n");
        assertThatCode(() -> AksSourceConfig.load(null, envs.get("source-aks"))).doesNotThrowAnyException();
        // the notifier: the Slack URL is the operator's; gen-secrets.sh leaves an empty file, which it refuses
        assertThat(generated.resolve("slack-webhook-url")).isEmptyFile();
        assertThatThrownBy(() -> NotifierConfig.load(null, envs.get("notifier"))).hasMessageContaining("receivers.chat.url-file");
        Files.writeString(generated.resolve("slack-webhook-url"), "https://hooks.slack.com/services/T000/B000/XXXX\n");
        assertThatCode(() -> NotifierConfig.load(null, envs.get("notifier"))).doesNotThrowAnyException();
        assertThat(Files.readString(generated.resolve("s3-credentials")))
                .contains("aws_access_key_id = " + Files.readString(generated.resolve("minio-root-user")));
    }
}
