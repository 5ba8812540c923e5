package io.auditkeeper.streams.topology;

import io.auditkeeper.model.AuditEvent;

import java.util.Set;

/**
 * Which stage of a request stands for the whole request on {@code audit.phi-access}. Most requests end with
 * ResponseComplete (or Panic). Long-running ones (exec, attach, port-forward, watch) start streaming with
 * ResponseStarted and complete minutes or hours later: the access has happened at ResponseStarted, so that stage is
 * reported and the later ResponseComplete is not.
 */
public final class PhiStages {
    private static final Set<String> STREAMING_SUBRESOURCES = Set.of("exec", "attach", "portforward", "proxy");

    private PhiStages() {
    }

    public static boolean isLongRunning(AuditEvent e) {
        if ("watch".equals(e.verb())) {
            return true;
        }
        return e.objectRef() != null && e.objectRef().subresource() != null
                && STREAMING_SUBRESOURCES.contains(e.objectRef().subresource());
    }

    /** Whether this stage may report the request (the first such stage seen for a request does). */
    public static boolean isReportingStage(AuditEvent e) {
        String stage = e.stage();
        return "ResponseComplete".equals(stage) || "Panic".equals(stage)
                || ("ResponseStarted".equals(stage) && isLongRunning(e));
    }
}
