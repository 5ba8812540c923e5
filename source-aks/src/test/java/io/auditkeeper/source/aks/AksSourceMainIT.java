package io.auditkeeper.source.aks;

import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.localstack.Waits;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.auditkeeper.source.aks.SourceAksProcesses.writeConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped jar as an operator runs it: {@code java -jar auditkeeper-source-aks.jar --config FILE}. A wrong setting
 * stops it with exit 2 and the key's name; a running source, even one that cannot reach its hub, writes the
 * connection string nowhere in its output, and stops on SIGTERM.
 */
@ExtendWith(LocalStackExtension.class)
class AksSourceMainIT {
    private static final String KEY = "bm90LWEtcmVhbC1rZXktYnV0LWtlcHQtb3V0LW9mLWxvZ3M=";

    @RegisterExtension
    final SourceAksProcesses processes = new SourceAksProcesses();

    @Test
    void shouldExitWithTwoNamingTheKeyWhenASettingIsInvalid() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "aks-main-" + System.nanoTime()).toAbsolutePath());
        Path config = writeConfig(dir, Map.of("event-hubs.bootstrap-servers", "ak-prod.servicebus.windows.net:9093",
                "event-hubs.topic", "aks-audit", "kafka.bootstrap-servers", "127.0.0.1:9", "delivery.mode", "twice"));
        Path log = dir.resolve("invalid.log");

        Process p = processes.start(config, log);

        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits").isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(log)).contains("invalid configuration", "delivery.mode");
    }

    @Test
    void shouldNeverPrintTheConnectionStringWhenItRunsAndStops(LocalStack stack) throws Exception {
        String run = "aks-main-" + System.nanoTime();
        Path dir = Files.createDirectories(Path.of("target", run).toAbsolutePath());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(run + "-raw", 1, (short) 1), new NewTopic(run + "-dlq", 1, (short) 1));
        }
        Path secret = Files.writeString(dir.resolve("connection-string"), "Endpoint=sb://ak-prod.servicebus.windows.net/;"
                + "SharedAccessKeyName=auditkeeper-listen;SharedAccessKey=" + KEY + ";EntityPath=aks-audit\n");
        Map<String, String> s = new LinkedHashMap<>();
        String hub = "127.0.0.1:" + freePort();
        s.put("event-hubs.bootstrap-servers", hub);
        s.put("event-hubs.topic", "aks-audit");
        s.put("event-hubs.connection-string-file", secret.toString());
        s.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
        s.put("topics.raw.name", run + "-raw");
        s.put("topics.dlq.name", run + "-dlq");
        s.put("admin.host", "127.0.0.1");
        s.put("admin.port", Integer.toString(freePort()));
        Path log = dir.resolve("source.log");

        Process p = processes.start(writeConfig(dir, s), log);
        assertThat(Waits.until(Duration.ofSeconds(60), Duration.ofMillis(100),
                () -> !p.isAlive() || read(log).contains("source-aks started"))).isTrue();
        assertThat(p.isAlive()).as("running (see %s)", log).isTrue();
        assertThat(Waits.until(Duration.ofSeconds(30), Duration.ofMillis(100),
                () -> read(log).contains("Bootstrap broker " + hub))).as("the consumer tried the hub and logged it").isTrue();
        p.destroy();

        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        String output = read(log);
        assertThat(output).contains("source-aks stopped", "event-hubs:127.0.0.1/aks-audit").doesNotContain(KEY)
                .doesNotContain("SharedAccessKey=");
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
