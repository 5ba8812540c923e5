package io.auditkeeper.streams.alerts;

import java.util.ArrayList;
import java.util.List;

/**
 * What one actor did within the detection window, as stored per (detection, cluster, actor): the matching requests
 * still inside the window, and when an alert last fired (so a burst raises one alert per window, not one per request).
 */
public record ActorWindow(List<Entry> entries, long lastAlertAt) {
    public record Entry(long timestamp, String auditId, String item, String namespace) {
    }

    public static ActorWindow empty() {
        return new ActorWindow(new ArrayList<>(), Long.MIN_VALUE);
    }

    /** The entries no older than {@code windowMs} before {@code now}, plus {@code added}, at most {@code cap} (newest). */
    public ActorWindow with(Entry added, long now, long windowMs, int cap) {
        List<Entry> kept = new ArrayList<>();
        for (Entry e : entries) {
            if (e.timestamp() > now - windowMs) {
                kept.add(e);
            }
        }
        kept.add(added);
        if (kept.size() > cap) {
            kept = new ArrayList<>(kept.subList(kept.size() - cap, kept.size()));
        }
        return new ActorWindow(kept, lastAlertAt);
    }

    public ActorWindow alerted(long at) {
        return new ActorWindow(entries, at);
    }
}
