package io.auditkeeper.source.aks;

import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.TopicSnapshot;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.source.aks.SourceAksProcesses.Backlog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.auditkeeper.source.aks.SourceAksProcesses.sigkill;
import static io.auditkeeper.source.aks.SourceAksProcesses.waitFor;
import static io.auditkeeper.source.aks.SourceAksProcesses.writeConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guarantee the source claims with Event Hubs (at-least-once into {@code audit.raw}, exactly once after the
 * stream-processor's dedupe), across a real crash: the shipped jar runs as a separate OS process and is killed with
 * SIGKILL while it works through a backlog of the hub, then started again.
 *
 * <p><b>That the kill fell between produce and commit</b> is shown after the fact, not hoped for: once the process is
 * dead its group's committed offset on the hub is final, and {@code audit.raw} already holds Events of messages at or
 * past that offset, which the next run must read and write again. If a kill happens to land between batches, the run
 * is started and killed again (at most five times). The test then asserts what each half of the claim needs:
 * <ul>
 *   <li>none lost: every (auditID, stage) sent is in {@code audit.raw};</li>
 *   <li>the repeats are the ones the crash explains (Events of the messages past the committed offset), and each copy
 *       is identical to the first, value and headers: the same (cluster, auditID, stage) key and the same content hash
 *       for the stream-processor, which drops such a repeat (docs/stream-processor.md, dedupe), so
 *       {@code audit.events} holds each once.</li>
 * </ul>
 * What it cannot show: the stream-processor is not run here (this module depends on no other service); the demo
 * module's AksRedeliveryDedupeIT runs the source into the real stream-processor with every Event delivered twice. One partition, one broker; a kill during the commit
 * request itself is the same case as before it (the commit did not happen or did).
 */
@ExtendWith(LocalStackExtension.class)
class AtLeastOnceUnderKillIT {
    private static final int MESSAGES = 12_000;
    private static final int KILL_ATTEMPTS = 5;
    private static final Duration POLL = Duration.ofMillis(50);

    @RegisterExtension
    final SourceAksProcesses processes = new SourceAksProcesses();

    @Test
    void shouldLoseNoEventAndRepeatOnlyIdenticalCopiesWhenTheSourceIsKilledBetweenProduceAndCommit(LocalStack stack)
            throws Exception {
        assertThat(SourceAksProcesses.JAR).as("the runnable jar (built by package, before failsafe)").exists();
        try (Backlog backlog = Backlog.create(stack, "aks-kill", MESSAGES)) {
            Path config = writeConfig(backlog.dir(), backlog.settings());

            long committedAtKill = -1;
            long firstCommittedAtKill = Long.MAX_VALUE;
            long writtenPastCommit = 0;
            int attempt = 0;
            while (writtenPastCommit == 0 && attempt < KILL_ATTEMPTS) {
                attempt++;
                long before = rawCount(backlog.admin(), backlog.raw());
                Process p = processes.start(config, backlog.dir().resolve("run-" + attempt + ".log"));
                waitFor(Duration.ofSeconds(90), POLL, "the source to write 3,000 Events of the backlog",
                        () -> !p.isAlive() || rawCount(backlog.admin(), backlog.raw()) >= before + 3_000);
                assertThat(p.isAlive()).as("source running (see run-%d.log)", attempt).isTrue();
                sigkill(p);
                committedAtKill = backlog.committed();
                firstCommittedAtKill = Math.min(firstCommittedAtKill, committedAtKill);
                long c = committedAtKill;
                writtenPastCommit = TopicSnapshot.read(backlog.bootstrap(), backlog.raw()).stream().filter(r -> messageIndex(r) >= c).count();
                System.out.printf("AtLeastOnceUnderKillIT: kill %d: hub offset committed %d of %d, Events of later messages already in raw: %d%n",
                        attempt, committedAtKill, MESSAGES, writtenPastCommit);
            }
            assertThat(writtenPastCommit).as("a kill between produce and commit in %d attempts", attempt).isPositive();

            processes.finishBacklog(config, backlog.dir().resolve("final.log"), backlog, MESSAGES, POLL);

            List<ConsumerRecord<byte[], byte[]>> events = TopicSnapshot.read(backlog.bootstrap(), backlog.raw());
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byKey = events.stream().collect(
                    Collectors.groupingBy(AtLeastOnceUnderKillIT::dedupeKey, LinkedHashMap::new, Collectors.toList()));
            long repeats = events.size() - byKey.size();
            System.out.printf("AtLeastOnceUnderKillIT: sent %d Events in %d messages; raw %d records, %d distinct, %d repeats; logs in %s%n",
                    backlog.sent().size(), MESSAGES, events.size(), byKey.size(), repeats, backlog.dir());

            assertThat(byKey.keySet().stream().map(k -> k.substring(k.indexOf('/') + 1)).collect(Collectors.toSet()))
                    .as("every Event sent, none lost").isEqualTo(backlog.sent());
            assertThat(repeats).as("the crash's repeats").isPositive();
            assertThat(byKey.values()).as("each repeat identical to its first copy, value and headers")
                    .allSatisfy(copies -> assertThat(copies).allSatisfy(c -> {
                        assertThat(c.value()).isEqualTo(copies.get(0).value());
                        assertThat(headers(c)).isEqualTo(headers(copies.get(0)));
                        assertThat(c.partition()).isEqualTo(copies.get(0).partition());
                    }));
            long since = firstCommittedAtKill;
            assertThat(byKey.values().stream().filter(copies -> copies.size() > 1).map(copies -> messageIndex(copies.get(0))))
                    .as("repeats only of messages not committed when a run was killed").allMatch(i -> i >= since);
        }
    }

    private static long rawCount(Admin admin, String raw) {
        try {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int i = 0; i < 3; i++) {
                latest.put(new TopicPartition(raw, i), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    /** The hub message an Event came from: auditIDs are {@code <run>-<message index>}. */
    private static long messageIndex(ConsumerRecord<byte[], byte[]> r) {
        String id = new String(r.key(), StandardCharsets.UTF_8);
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    /** The stream-processor's dedupe key: (cluster, auditID, stage). */
    private static String dedupeKey(ConsumerRecord<byte[], byte[]> r) {
        String value = new String(r.value(), StandardCharsets.UTF_8);
        String stage = value.contains("\"stage\":\"RequestReceived\"") ? "RequestReceived" : "ResponseComplete";
        return AuditHeaders.get(r.headers(), AuditHeaders.CLUSTER).orElseThrow() + "/"
                + new String(r.key(), StandardCharsets.UTF_8) + "/" + stage;
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
        return Arrays.stream(r.headers().toArray()).collect(Collectors.toMap(Header::key,
                h -> new String(h.value(), StandardCharsets.UTF_8)));
    }
}
