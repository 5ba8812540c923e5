package io.auditkeeper.ingest.http;

import io.auditkeeper.ingest.auth.ClientAuthenticator;
import io.auditkeeper.ingest.auth.ClientIdentity;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A door that a managed cluster's log service posts to (Amazon Data Firehose, a Pub/Sub push subscription): one fixed
 * path, a credential of the service's own, and a body that names its clusters itself. Such a door takes a request as
 * the others do, in the same order, so that nothing of a body is read for a client that is not known: the path, then
 * the credential, then the body under the client's in-flight share. What the body holds, how the credential is
 * checked and what the service is answered are the subclass's.
 *
 * @param <E> the door's exchange, which words its answers
 */
public abstract class LogServiceHandler<E extends DoorExchange> extends Handler.Abstract {
    private final Logger log = LoggerFactory.getLogger(getClass());
    private final DoorPath path;
    private final String handling;
    protected final DoorServices door;
    protected final BodyIntake intake;
    protected final ClusterAccess clusters;

    /**
     * @param handling      what a request is, for the log line of a bug met handling one ({@code "a Firehose request"})
     * @param authenticator applies {@code auth.cluster-bindings} to the identity the service's credential proves
     */
    protected LogServiceHandler(DoorPath path, String handling, ClientAuthenticator authenticator, DoorServices door) {
        super(InvocationType.BLOCKING);
        this.path = path;
        this.handling = handling;
        this.door = door;
        this.intake = new BodyIntake(door);
        this.clusters = new ClusterAccess(authenticator);
    }

    /** Whether a request is for this door (as sent; anything not canonical is the webhook's to refuse). */
    public boolean handles(Request request) {
        return path.handles(request);
    }

    @Override
    public final boolean handle(Request request, Response response, Callback callback) {
        E exchange = exchange(request, response, callback);
        return exchange.run(log, handling, () -> door.bodyReader().drainQuietly(request), () -> {
            path.route(request);
            exchange.authenticatedAs(authenticate(request));
            RequestBodyReader.Intake.Read read = intake.take(request, exchange);
            if (read != null) {
                deliver(exchange, read);
            }
        });
    }

    /** The exchange of a request that has just arrived. */
    protected abstract E exchange(Request request, Response response, Callback callback);

    /** The client the service's credential proves, before a byte of the body is read; 401 or 403 otherwise. */
    protected abstract ClientIdentity authenticate(Request request) throws WebhookException;

    /**
     * Reads the body, {@code read} and decoded, and hands its events to Kafka ({@link KafkaHandover}), or refuses it
     * ({@link BodyIntake#refuse}); the answer is written once that is done.
     */
    protected abstract void deliver(E exchange, RequestBodyReader.Intake.Read read) throws WebhookException;
}
