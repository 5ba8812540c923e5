package io.auditkeeper.demo.soak;

import io.auditkeeper.localstack.EmbeddedKafka;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Injects one fault into the fleet and heals it: which instance of a kind is hit goes round, so that every replica
 * takes its share. Returns once the fault is healed (the process restarted or thawed, the connection restored, the
 * broker back); what it cost is measured from there.
 */
final class FaultInjector {
    /** The pause before a killed process is started again: a kubelet restarts a crashed container after about as long. */
    static final Duration RESTART_AFTER = Duration.ofSeconds(3);
    /** Past the group session, so that the group gives the frozen or cut-off member's partitions to another. */
    static final Duration HOLD = Fleet.SESSION.plusSeconds(4);
    static final Duration KAFKA_DOWN = Duration.ofSeconds(5);

    /** One fault as it happened. */
    record Injected(FaultKind kind, String target, Instant at, Duration held, Instant healedAt) {
    }

    private final Fleet fleet;
    private final EmbeddedKafka kafka;
    private final Map<FaultKind, Integer> turns = new EnumMap<>(FaultKind.class);

    FaultInjector(Fleet fleet, EmbeddedKafka kafka) {
        this.fleet = fleet;
        this.kafka = kafka;
    }

    Injected inject(FaultKind kind) throws InterruptedException {
        Instant at = Instant.now();
        long start = System.nanoTime();
        String target = switch (kind) {
            case KILL_ARCHIVER -> killAndRestart(next(kind, fleet.archivers()));
            case KILL_STREAM_PROCESSOR -> killAndRestart(next(kind, fleet.streamProcessors()));
            case KILL_INGEST -> {
                ServiceProcess p = next(kind, fleet.ingest());
                int instance = fleet.ingest().indexOf(p);
                fleet.ingestService().down(instance);
                killAndRestart(p);
                if (!fleet.ingestService().upWhenListening(instance, Duration.ofMinutes(2))) {
                    throw new IllegalStateException(p.name() + " did not listen again within 2 minutes; see " + p.log());
                }
                yield p.name();
            }
            case FREEZE_ARCHIVER -> freezeAndThaw(next(kind, fleet.archivers()));
            case FREEZE_STREAM_PROCESSOR -> freezeAndThaw(next(kind, fleet.streamProcessors()));
            case CUT_ARCHIVER_S3 -> {
                ServiceProcess a = next(kind, fleet.archivers());
                cutAndRestore(fleet.s3Of(a));
                yield a.name() + " -> S3";
            }
            case CUT_ARCHIVER_OPENSEARCH -> {
                ServiceProcess a = next(kind, fleet.archivers());
                cutAndRestore(fleet.openSearchOf(a));
                yield a.name() + " -> OpenSearch";
            }
            case STOP_KAFKA -> {
                kafka.stop();
                Thread.sleep(KAFKA_DOWN.toMillis());
                kafka.restart();
                yield "broker";
            }
        };
        return new Injected(kind, target, at, Duration.ofNanos(System.nanoTime() - start), Instant.now());
    }

    private ServiceProcess next(FaultKind kind, List<ServiceProcess> of) {
        int turn = turns.merge(kind, 1, Integer::sum) - 1;
        return of.get(turn % of.size());
    }

    private static String killAndRestart(ServiceProcess p) throws InterruptedException {
        p.kill();
        Thread.sleep(RESTART_AFTER.toMillis());
        p.start();
        return p.name();
    }

    private static String freezeAndThaw(ServiceProcess p) throws InterruptedException {
        p.freeze();
        Thread.sleep(HOLD.toMillis());
        p.thaw();
        return p.name();
    }

    private static void cutAndRestore(io.auditkeeper.localstack.TcpProxy proxy) throws InterruptedException {
        proxy.cut();
        Thread.sleep(HOLD.toMillis());
        proxy.restore();
    }
}
