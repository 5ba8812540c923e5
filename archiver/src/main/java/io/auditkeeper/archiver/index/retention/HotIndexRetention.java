package io.auditkeeper.archiver.index.retention;

import org.opensearch.client.opensearch.OpenSearchClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the OpenSearch index to its hot retention: the S3 archive holds every event for six years, the index only
 * the recent, searchable part, and daily indices must not pile up until the cluster's disks fill. With the ISM plugin
 * an {@link IsmPolicy} does the deleting (installed at start); without it, {@link DailyIndexRetention} runs at start
 * and then every interval on a thread of its own.
 */
public final class HotIndexRetention implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HotIndexRetention.class);

    /** Who deletes expired daily indices. */
    public enum Mode {
        /** retention-days is 0: nobody, indices are kept forever. */
        OFF,
        /** OpenSearch, through the ISM policy. */
        ISM,
        /** The archiver, periodically. */
        ARCHIVER
    }

    private final OpenSearchClient client;
    private final String prefix;
    private final int retentionDays;
    private final Duration interval;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    public HotIndexRetention(OpenSearchClient client, String prefix, int retentionDays, Duration interval, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        if (retentionDays < 0) {
            throw new IllegalArgumentException("retention days must not be negative: " + retentionDays);
        }
        this.retentionDays = retentionDays;
        this.interval = Objects.requireNonNull(interval, "interval");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Installs the ISM policy, or schedules the archiver's own deletion (first run right away). */
    public synchronized Mode start() throws IOException {
        if (retentionDays == 0) {
            LOG.atInfo().addKeyValue("index_prefix", prefix).log("daily indices are kept forever (retention-days=0)");
            return Mode.OFF;
        }
        if (new IsmPolicyInstaller(client, prefix, retentionDays).install()) {
            return Mode.ISM;
        }
        DailyIndexRetention retention = new DailyIndexRetention(client, prefix, retentionDays, clock);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "index-retention");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                retention.run();
            } catch (IOException | RuntimeException e) {
                LOG.atError().addKeyValue("exception", e.getClass().getName())
                        .log("expired daily indices not deleted; next try in " + interval + ": " + e.getMessage());
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.atInfo().addKeyValue("index_prefix", prefix).addKeyValue("retention_days", retentionDays)
                .addKeyValue("interval_ms", interval.toMillis()).log("archiver deletes expired daily indices");
        return Mode.ARCHIVER;
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
