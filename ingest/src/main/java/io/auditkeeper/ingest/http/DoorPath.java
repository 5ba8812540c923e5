package io.auditkeeper.ingest.http;

import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;

/**
 * The one path a managed cluster's log service posts to (Firehose's {@code /firehose/eks}, Pub/Sub's
 * {@code /pubsub/gke}): which requests are that door's, and the refusal of any other path under it or any method but
 * POST, before the client is authenticated.
 *
 * @param notFound the 404's message: where this service delivers
 */
public record DoorPath(String path, String notFound) {
    /**
     * Whether a request is for this door (as sent, anywhere under its first segment; anything not canonical is the
     * webhook's to refuse).
     */
    public boolean handles(Request request) {
        String raw = request.getHttpURI().getPath();
        return raw != null && (raw.equals(path) || raw.startsWith(path.substring(0, path.indexOf('/', 1) + 1)));
    }

    /** Refuses a path that is not canonical (400), not this door's (404), or a method other than POST (405). */
    public void route(Request request) throws WebhookException {
        String raw = request.getHttpURI().getPath();
        if (raw == null || !CanonicalPath.isCanonical(raw)) {
            throw new WebhookException(400, "bad-path", "the path must be " + path + " as is: no percent-encoding,"
                    + " dot segments, empty segments or parameters");
        }
        if (!raw.equals(path) && !raw.equals(path + "/")) {
            throw new WebhookException(404, "not-found", notFound);
        }
        if (!HttpMethod.POST.is(request.getMethod())) {
            throw new WebhookException(405, "method-not-allowed", "only POST is accepted");
        }
    }
}
