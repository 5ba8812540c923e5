package io.auditkeeper.notifier.deliver;

/** Sends one request to a receiver and says what came of it: {@link ReceiverClient} over HTTPS, a stand-in in tests. */
@FunctionalInterface
public interface Sender {
    DeliveryOutcome send(Payload payload) throws InterruptedException;
}
