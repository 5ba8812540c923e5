package io.auditkeeper.streams.alerts;

import io.auditkeeper.model.AuditEvent;
import io.auditkeeper.streams.normalize.Timestamps;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The detections over time, as plain logic over a per-actor state: secret enumeration (one actor reading many
 * distinct secrets in PHI namespaces within a window), a burst of denied requests by one actor, and exec into PHI
 * pods by an identity that has not done so within the look-back. Each fires once per window per actor.
 */
public final class AlertDetectors {
    public static final String SECRET_ENUMERATION = "secret-enumeration";
    public static final String DENIED_BURST = "denied-burst";
    public static final String NEW_EXEC = "new-exec";
    /** Not a detection over time: raised by the dedupe step itself (see {@link #conflictingDuplicate}). */
    public static final String CONFLICTING_DUPLICATE = "conflicting-duplicate";
    static final String SECRET_READ_RULE = "secret-read";
    static final String ACCESS_DENIED_RULE = "access-denied";
    static final String POD_EXEC_RULE = "pod-exec";

    /** Thresholds and windows of the detections (settings {@code alerts.*}). */
    public record Settings(int enumerationThreshold, Duration enumerationWindow, int deniedThreshold,
                           Duration deniedWindow, Duration execLookback) {
    }

    /** Where the per-actor windows live (a state store in the topology, a map in tests). */
    public interface State {
        ActorWindow get(String key);

        void put(String key, ActorWindow window);
    }

    private final Settings settings;

    public AlertDetectors(Settings settings) {
        this.settings = settings;
    }

    public List<Alert> onRequest(FlaggedRequest r, State state) {
        List<Alert> alerts = new ArrayList<>(1);
        if (r.rules().contains(SECRET_READ_RULE)) {
            String item = (r.namespace() == null ? "*" : r.namespace()) + "/" + (r.resourceName() == null ? "*" : r.resourceName());
            long window = settings.enumerationWindow().toMillis();
            ActorWindow w = update(state, SECRET_ENUMERATION, r, item, window, settings.enumerationThreshold() * 4);
            Set<String> distinct = new LinkedHashSet<>();
            w.entries().forEach(e -> distinct.add(e.item()));
            if (distinct.size() >= settings.enumerationThreshold() && w.lastAlertAt() <= r.timestamp() - window) {
                alerts.add(alert(SECRET_ENUMERATION, "high", r, w, distinct.size(), settings.enumerationThreshold(),
                        "read " + distinct.size() + " distinct secrets in PHI namespaces within " + settings.enumerationWindow()));
                state.put(key(SECRET_ENUMERATION, r), w.alerted(r.timestamp()));
            }
        }
        if (r.rules().contains(ACCESS_DENIED_RULE)) {
            long window = settings.deniedWindow().toMillis();
            ActorWindow w = update(state, DENIED_BURST, r, r.auditId(), window, settings.deniedThreshold() * 2);
            if (w.entries().size() >= settings.deniedThreshold() && w.lastAlertAt() <= r.timestamp() - window) {
                alerts.add(alert(DENIED_BURST, "medium", r, w, w.entries().size(), settings.deniedThreshold(),
                        w.entries().size() + " denied requests within " + settings.deniedWindow()));
                state.put(key(DENIED_BURST, r), w.alerted(r.timestamp()));
            }
        }
        if (r.rules().contains(POD_EXEC_RULE)) {
            long lookback = settings.execLookback().toMillis();
            ActorWindow before = state.get(key(NEW_EXEC, r));
            boolean seenBefore = before != null && before.entries().stream().anyMatch(e -> e.timestamp() > r.timestamp() - lookback);
            ActorWindow w = update(state, NEW_EXEC, r, r.namespace() + "/" + r.resourceName(), lookback, 16);
            if (!seenBefore) {
                ActorWindow single = new ActorWindow(List.of(w.entries().get(w.entries().size() - 1)), w.lastAlertAt());
                alerts.add(alert(NEW_EXEC, "high", r, single, 1, 1,
                        "exec into a PHI pod by an identity without exec in the previous " + settings.execLookback()));
            }
        }
        return alerts;
    }

    private static ActorWindow update(State state, String type, FlaggedRequest r, String item, long windowMs, int cap) {
        String key = key(type, r);
        ActorWindow w = state.get(key);
        w = (w == null ? ActorWindow.empty() : w)
                .with(new ActorWindow.Entry(r.timestamp(), r.auditId(), item, r.namespace()), r.timestamp(), windowMs, cap);
        state.put(key, w);
        return w;
    }

    static String key(String type, FlaggedRequest r) {
        return type + "|" + r.cluster() + "|" + r.actor();
    }

    private static Alert alert(String type, String severity, FlaggedRequest r, ActorWindow w, int count, int threshold,
                               String description) {
        List<String> ids = new ArrayList<>();
        Set<String> namespaces = new LinkedHashSet<>();
        for (ActorWindow.Entry e : w.entries()) {
            ids.add(e.auditId());
            if (e.namespace() != null) {
                namespaces.add(e.namespace());
            }
        }
        long start = w.entries().get(0).timestamp();
        String id = sha256(type + "|" + r.cluster() + "|" + r.actor() + "|" + w.entries().get(0).auditId()).substring(0, 32);
        return new Alert(Alert.SCHEMA_VERSION, id, type, severity, r.cluster(), r.actor(),
                Timestamps.format(Instant.ofEpochMilli(start)), Timestamps.format(Instant.ofEpochMilli(r.timestamp())),
                count, threshold, ids, new ArrayList<>(namespaces), r.actor() + " " + description);
    }

    /**
     * The alert for a conflicting duplicate: a second event for a (cluster, auditID, stage) already seen within the
     * dedupe window, with other content. The first was kept and this one went to the dead-letter topic; which of the
     * two the apiserver sent is for a human to find out (the kept one is in {@code audit.events} under
     * {@code <cluster>/<auditID>}, with the ingest client that posted it). The actor is the user this second event
     * names; the id is derived from the key and both content hashes, so a replay yields the same id.
     */
    public static Alert conflictingDuplicate(String cluster, AuditEvent event, String client, String origin,
                                             String firstHash, String hash, long timestamp) {
        String actor = event.user() == null || event.user().username() == null ? "unknown" : event.user().username();
        String at = Timestamps.format(Instant.ofEpochMilli(timestamp));
        String id = sha256(CONFLICTING_DUPLICATE + "|" + cluster + "|" + event.auditID() + "|" + event.stage() + "|"
                + firstHash + "|" + hash).substring(0, 32);
        List<String> namespaces = event.objectRef() == null || event.objectRef().namespace() == null ? List.of()
                : List.of(event.objectRef().namespace());
        return new Alert(Alert.SCHEMA_VERSION, id, CONFLICTING_DUPLICATE, "high", cluster, actor, at, at, 1, 1,
                List.of(event.auditID()), namespaces,
                "a second " + event.stage() + " event for auditID " + event.auditID() + " with other content (content hash "
                        + hash + ", posted by " + (client == null ? "an unknown client" : client)
                        + (origin == null ? "" : ", read at " + origin) + ") than the first, which was kept (content hash "
                        + firstHash + "): one of them is not what the apiserver sent. The second is in the dead-letter topic"
                        + " (reason conflicting-duplicate), the first in audit.events.");
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
