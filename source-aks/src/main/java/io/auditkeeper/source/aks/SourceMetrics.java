package io.auditkeeper.source.aks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The AKS source's meters, {@code auditkeeper_source_aks_*} on {@code /metrics}: what was read from the hub, what was
 * written where, and the rewinds that a failed write caused, so that an operator sees loss or a stall from the scrape.
 */
public final class SourceMetrics {
    private final MeterRegistry registry;
    private final Counter messages;
    private final Counter events;
    private final Counter commits;
    private final Counter rewinds;

    public SourceMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.messages = Counter.builder("auditkeeper_source_aks_messages").description("Event Hubs messages read")
                .register(registry);
        this.events = Counter.builder("auditkeeper_source_aks_events")
                .description("audit Events written to the raw topic").register(registry);
        this.commits = Counter.builder("auditkeeper_source_aks_commits")
                .description("batches whose hub offsets were committed after their writes").register(registry);
        this.rewinds = Counter.builder("auditkeeper_source_aks_rewinds")
                .description("batches read again from the last committed offsets after a failed write").register(registry);
    }

    void messages(int n) {
        messages.increment(n);
    }

    void events(int n) {
        events.increment(n);
    }

    void skipped(String category) {
        Counter.builder("auditkeeper_source_aks_records_skipped")
                .description("records of categories that are not audit categories, passed over")
                .tag("category", category.isEmpty() ? "none" : category).register(registry).increment();
    }

    void deadLetter(String reason) {
        Counter.builder("auditkeeper_source_aks_dead_letters").description("records written to the dead-letter topic")
                .tag("reason", reason).register(registry).increment();
    }

    void committed() {
        commits.increment();
    }

    void rewound() {
        rewinds.increment();
    }
}
