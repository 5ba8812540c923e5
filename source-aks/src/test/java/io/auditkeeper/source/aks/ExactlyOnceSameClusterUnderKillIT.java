package io.auditkeeper.source.aks;

import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.TopicSnapshot;
import io.auditkeeper.source.aks.SourceAksProcesses.Backlog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.auditkeeper.source.aks.SourceAksProcesses.sigkill;
import static io.auditkeeper.source.aks.SourceAksProcesses.waitFor;
import static io.auditkeeper.source.aks.SourceAksProcesses.writeConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code delivery.mode: exactly-once}, for a hub that is a topic of the output cluster, across a real crash: the
 * shipped jar, a separate process, is killed with SIGKILL while one of its transactions holds Events on
 * {@code audit.raw} (timed by the transaction coordinator's own view, {@code Admin.describeTransactions}), then
 * started again. That transaction ends aborted, a {@code read_uncommitted} reader sees its Events, and a
 * {@code read_committed} reader of {@code audit.raw} finds every Event exactly once: the batch was read again from the
 * offsets the last committed transaction carried. Not for Event Hubs, where the offsets live on another cluster
 * (docs/managed-clusters.md, The guarantee).
 */
@ExtendWith(LocalStackExtension.class)
class ExactlyOnceSameClusterUnderKillIT {
    private static final int MESSAGES = 12_000;
    private static final int KILL_ATTEMPTS = 5;
    private static final Duration POLL = Duration.ofMillis(20);

    @RegisterExtension
    final SourceAksProcesses processes = new SourceAksProcesses();

    @Test
    void shouldWriteEachEventOnceWhenTheSourceIsKilledInTheMiddleOfATransaction(LocalStack stack) throws Exception {
        assertThat(SourceAksProcesses.JAR).as("the runnable jar (built by package, before failsafe)").exists();
        try (Backlog backlog = Backlog.create(stack, "aks-eos", MESSAGES)) {
            Map<String, String> settings = backlog.settings();
            settings.put("delivery.mode", "exactly-once");
            Path config = writeConfig(backlog.dir(), settings);

            String victim = null;
            int attempt = 0;
            while (victim == null && attempt < KILL_ATTEMPTS) {
                attempt++;
                Process p = processes.start(config, backlog.dir().resolve("run-" + attempt + ".log"));
                long before = backlog.committed();
                waitFor(Duration.ofSeconds(90), POLL, "the source to commit 2,000 more messages",
                        () -> !p.isAlive() || backlog.committed() >= before + 2_000);
                AtomicReference<String> open = new AtomicReference<>();
                waitFor(Duration.ofSeconds(90), POLL, "an open transaction of the source holding Events",
                        () -> !p.isAlive() || ongoingWithOutput(backlog.admin(), backlog.run(), backlog.raw()).map(t -> {
                            open.set(t);
                            return true;
                        }).orElse(false));
                assertThat(p.isAlive()).as("source running (see run-%d.log)", attempt).isTrue();
                sigkill(p);
                String txn = open.get();
                waitFor(Duration.ofSeconds(60), POLL, "the coordinator to end the killed source's transaction",
                        () -> state(backlog.admin(), txn) != TransactionState.ONGOING && state(backlog.admin(), txn) != TransactionState.PREPARE_ABORT);
                TransactionState end = state(backlog.admin(), txn);
                System.out.printf("ExactlyOnceSameClusterUnderKillIT: kill %d: transaction %s ended %s; hub offset committed %d of %d%n",
                        attempt, txn, end, backlog.committed(), MESSAGES);
                if (end == TransactionState.COMPLETE_ABORT) {
                    victim = txn;
                }
            }
            assertThat(victim).as("a kill inside a transaction in %d attempts", attempt).isNotNull();

            processes.finishBacklog(config, backlog.dir().resolve("final.log"), backlog, MESSAGES, POLL);

            List<String> committedOut = keys(TopicSnapshot.read(backlog.bootstrap(), backlog.raw(), "read_committed"));
            List<String> uncommittedOut = keys(TopicSnapshot.read(backlog.bootstrap(), backlog.raw(), "read_uncommitted"));
            Map<String, Long> counts = committedOut.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            System.out.printf("ExactlyOnceSameClusterUnderKillIT: sent %d Events; raw read_committed %d (%d distinct), read_uncommitted %d; logs in %s%n",
                    backlog.sent().size(), committedOut.size(), counts.size(), uncommittedOut.size(), backlog.dir());

            assertThat(committedOut).as("read_committed: every Event sent, each once").hasSize(backlog.sent().size());
            assertThat(new HashSet<>(committedOut)).isEqualTo(backlog.sent());
            assertThat(uncommittedOut.size()).as("the aborted transaction's Events, visible to read_uncommitted only")
                    .isGreaterThan(committedOut.size());
        }
    }

    /** A transaction of the source (its id names the group) that is open and holds a partition of the raw topic. */
    private static Optional<String> ongoingWithOutput(Admin admin, String group, String raw) {
        try {
            List<String> ids = admin.listTransactions().all().get().stream().map(TransactionListing::transactionalId)
                    .filter(id -> id.startsWith("auditkeeper-source-aks-" + group + "-")).toList();
            if (ids.isEmpty()) {
                return Optional.empty();
            }
            Map<String, TransactionDescription> d = admin.describeTransactions(ids).all().get();
            return d.entrySet().stream().filter(e -> e.getValue().state() == TransactionState.ONGOING)
                    .filter(e -> e.getValue().topicPartitions().stream().anyMatch(tp -> tp.topic().equals(raw)))
                    .map(Map.Entry::getKey).findFirst();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static TransactionState state(Admin admin, String transactionalId) {
        try {
            return admin.describeTransactions(List.of(transactionalId)).all().get().get(transactionalId).state();
        } catch (Exception e) {
            return TransactionState.UNKNOWN;
        }
    }

    /** auditID/stage of each record. */
    private static List<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8) + "/"
                + (new String(r.value(), StandardCharsets.UTF_8).contains("\"stage\":\"RequestReceived\"")
                ? "RequestReceived" : "ResponseComplete")).toList();
    }
}
