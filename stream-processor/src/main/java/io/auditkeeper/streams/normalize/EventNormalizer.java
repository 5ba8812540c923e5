package io.auditkeeper.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.model.AuditEvent;
import io.auditkeeper.model.NormalizedEvent;

import java.util.List;
import java.util.Map;

/**
 * Turns an apiserver event into the documented {@link NormalizedEvent} schema. It copies and renames; it never
 * invents: a field the event lacks stays absent. The actor is the effective identity: the impersonated user when
 * there is one, else the authenticated user.
 */
public final class EventNormalizer {
    static final String DECISION = "authorization.k8s.io/decision";
    static final String REASON = "authorization.k8s.io/reason";

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
        return new NormalizedEvent(NormalizedEvent.SCHEMA_VERSION, raw.cluster(), e.auditID(), e.stage(), e.level(),
                Timestamps.normalize(e.requestReceivedTimestamp()), Timestamps.normalize(e.stageTimestamp()),
                e.verb(), e.requestURI(), actor, user, impersonated, e.sourceIPs(), e.userAgent(), ref,
                e.responseStatus() == null ? null : e.responseStatus().code(),
                annotations.get(DECISION), annotations.get(REASON), raw.receivedAt(), raw.client(), raw.source(), phi,
                redactions.isEmpty() ? null : redactions, redactedEvent);
    }

    private static NormalizedEvent.User user(AuditEvent.UserInfo u) {
        return u == null ? null : new NormalizedEvent.User(u.username(), u.uid(), u.groups());
    }
}
