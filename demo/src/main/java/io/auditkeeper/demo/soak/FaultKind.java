package io.auditkeeper.demo.soak;

/**
 * The faults a soak injects, each as production meets it: a pod OOM-killed or its node lost (SIGKILL, then a restart a
 * few seconds later, as a kubelet does), a process frozen past its group session by a long GC pause or a partition
 * (SIGSTOP, then SIGCONT: it wakes in the middle of whatever it was doing), an archiver cut off from its store (every
 * connection reset, new ones refused), and the Kafka broker down. Listed in the order a schedule goes through them.
 */
enum FaultKind {
    KILL_ARCHIVER("kill-archiver", "SIGKILL an archiver; restart it 3 s later"),
    FREEZE_ARCHIVER("freeze-archiver", "SIGSTOP an archiver past its group session; SIGCONT"),
    KILL_STREAM_PROCESSOR("kill-stream-processor", "SIGKILL a stream-processor; restart it 3 s later"),
    CUT_ARCHIVER_S3("cut-archiver-s3", "reset an archiver's connections to S3 and refuse new ones"),
    KILL_INGEST("kill-ingest", "SIGKILL an ingest instance; restart it 3 s later"),
    FREEZE_STREAM_PROCESSOR("freeze-stream-processor", "SIGSTOP a stream-processor past its group session; SIGCONT"),
    CUT_ARCHIVER_OPENSEARCH("cut-archiver-opensearch", "reset an archiver's connections to OpenSearch and refuse new ones"),
    STOP_KAFKA("stop-kafka", "stop the Kafka broker; start it again 5 s later");

    private final String label;
    private final String description;

    FaultKind(String label, String description) {
        this.label = label;
        this.description = description;
    }

    String label() {
        return label;
    }

    String description() {
        return description;
    }

    static FaultKind ofLabel(String label) {
        for (FaultKind k : values()) {
            if (k.label.equals(label)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown fault " + label + " (known: "
                + java.util.Arrays.stream(values()).map(FaultKind::label).toList() + ")");
    }
}
