package io.auditkeeper.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.model.AuditEvent;
import io.auditkeeper.model.NormalizedEvent;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Turns an apiserver event into the documented {@link NormalizedEvent} schema. It copies and renames; it never
 * invents: a field the event lacks stays absent. The actor is the effective identity: the impersonated user when
 * there is one, else the authenticated user.
 *
 * <p>The one field it computes, {@code clockSkewSeconds}, is there only when the event's own time is at least the
 * threshold away from ingest's receive time: the apiserver's clock and ingest's disagree (or the event was held back
 * far longer than the apiserver ever holds one). The event is kept as it is; the mark says its times, or
 * {@code receivedAt}, are not to be trusted to the minute.
 */
public final class EventNormalizer {
    static final String DECISION = "authorization.k8s.io/decision";
    static final String REASON = "authorization.k8s.io/reason";
    /** Five minutes: above the apiserver's batching and its retries of about two minutes, far below a clock set wrong. */
    public static final Duration DEFAULT_SKEW_THRESHOLD = Duration.ofMinutes(5);

    private final long skewThresholdMs;

    public EventNormalizer() {
        this(DEFAULT_SKEW_THRESHOLD);
    }

    public EventNormalizer(Duration skewThreshold) {
        this.skewThresholdMs = skewThreshold.toMillis();
    }

    public NormalizedEvent normalize(RawRecordContext raw, AuditEvent e, JsonNode redactedEvent, NormalizedEvent.Phi phi,
                                     List<String> redactions) {
        NormalizedEvent.User user = user(e.user());
        NormalizedEvent.User impersonated = user(e.impersonatedUser());
        String actor = impersonated != null && impersonated.username() != null ? impersonated.username()
                : user == null ? null : user.username();
        Map<String, String> annotations = e.annotations() == null ? Map.of() : e.annotations();
        AuditEvent.ObjectReference o = e.objectRef();
        NormalizedEvent.ObjectRef ref = o == null ? null : new NormalizedEvent.ObjectRef(o.resource(), o.subresource(),
                o.namespace(), o.name(), o.apiGroup(), o.apiVersion());
        String timestamp = Timestamps.normalize(e.requestReceivedTimestamp());
        String stageTimestamp = Timestamps.normalize(e.stageTimestamp());
        return new NormalizedEvent(NormalizedEvent.SCHEMA_VERSION, raw.cluster(), e.auditID(), e.stage(), e.level(),
                timestamp, stageTimestamp, e.verb(), e.requestURI(), actor, user, impersonated, e.sourceIPs(),
                e.userAgent(), ref, e.responseStatus() == null ? null : e.responseStatus().code(),
                annotations.get(DECISION), annotations.get(REASON), raw.receivedAt(),
                clockSkewSeconds(raw.receivedAtMillis(), stageTimestamp != null ? stageTimestamp : timestamp),
                raw.client(), raw.source(), phi, redactions.isEmpty() ? null : redactions, redactedEvent);
    }

    /**
     * {@code receivedAt} minus the event's time in whole seconds (toward zero) when they are at least the threshold
     * apart, else null: positive when the event's time is behind ingest's clock, negative when it is ahead.
     */
    Long clockSkewSeconds(long receivedAtMillis, String eventTime) {
        if (receivedAtMillis == RawRecordContext.UNKNOWN || eventTime == null) {
            return null;
        }
        long eventMillis = Timestamps.epochMillis(eventTime);
        if (eventMillis == RawRecordContext.UNKNOWN) {
            return null;
        }
        long skew = receivedAtMillis - eventMillis;
        return Math.abs(skew) >= skewThresholdMs ? skew / 1000 : null;
    }

    private static NormalizedEvent.User user(AuditEvent.UserInfo u) {
        return u == null ? null : new NormalizedEvent.User(u.username(), u.uid(), u.groups());
    }
}
