package io.auditkeeper.ingest.http;

import io.auditkeeper.ingest.admin.IngestMetrics;
import io.auditkeeper.ingest.auth.ClientIdentity;
import io.auditkeeper.ingest.kafka.BatchOrigin;
import io.auditkeeper.model.DeadLetterReason;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One request at one of ingest's doors (the webhook, Firehose, Pub/Sub push) while its handler handles it: the
 * response and its callback, when it arrived, who sent it, the in-flight bytes it holds and whether its body was
 * read. What every door answers alike is here (the status counted, JSON, {@code Allow}, {@code WWW-Authenticate},
 * {@code Retry-After}, {@code Connection: close}), and so is how it answers alike: a refused, interrupted or failed
 * request ({@link #run}) and a body kept in the dead-letter topic ({@link #answerOnceStored}), so that the three doors
 * cannot drift apart there. Each door's subclass words its own answers and its log line: what it tells a client
 * Kafka did not acknowledge ({@link #kafkaUnavailable}), and, where its client needs another answer than the
 * webhook's, what it answers a body kept in the dead-letter topic.
 */
public abstract class DoorExchange {
    private final Response response;
    private final Callback callback;
    private final IngestMetrics metrics;
    private final long start = System.nanoTime();
    private final Instant receivedAt;
    private final String source;
    private ClientIdentity client;
    private InFlightBytesLimiter.Reservation reservation;
    private boolean bodyRead;

    /** @param source the door's {@code auditkeeper.source}, on every record written for the request */
    protected DoorExchange(Response response, Callback callback, IngestMetrics metrics, Clock clock, String source) {
        this.response = response;
        this.callback = callback;
        this.metrics = metrics;
        this.receivedAt = clock.instant();
        this.source = source;
    }

    /** When ingest received the request, by its clock: every record's {@code received-at}. */
    public Instant receivedAt() {
        return receivedAt;
    }

    /** The authenticated client; null until authenticated. */
    public ClientIdentity client() {
        return client;
    }

    public void authenticatedAs(ClientIdentity client) {
        this.client = client;
    }

    /** The one cluster the request's URL names (the webhook's); null at a door whose bodies name their clusters. */
    public String cluster() {
        return null;
    }

    /** What the records written for this request record of where they came from, as events of {@code cluster}. */
    public BatchOrigin origin(String cluster) {
        return new BatchOrigin(cluster, receivedAt, client, source);
    }

    /** The in-flight bytes this request holds (null before they are reserved); grows as the body is read. */
    public InFlightBytesLimiter.Reservation reservation() {
        return reservation;
    }

    public void hold(InFlightBytesLimiter.Reservation reservation) {
        this.reservation = reservation;
    }

    /** Gives the in-flight bytes back: once Kafka has answered, or when the request fails before. */
    public void release() {
        if (reservation != null) {
            reservation.close();
        }
    }

    /** Whether the whole body was read (else it must be drained, or the connection closed, before answering). */
    public boolean bodyRead() {
        return bodyRead;
    }

    public void markBodyRead() {
        bodyRead = true;
    }

    /** What a door does with one request, up to the point its answer is written or handed to a callback. */
    @FunctionalInterface
    public interface Work {
        void run() throws WebhookException, InterruptedException;
    }

    /**
     * Runs a door's {@code work} for this request and answers what it throws: a refusal as {@link #refused}, an
     * interruption as {@link #interrupted}, a bug as {@link #failedUnexpectedly}. Always true: the request is handled.
     */
    public boolean run(org.slf4j.Logger log, String handling, BooleanSupplier drained, Work work) {
        try {
            work.run();
        } catch (WebhookException e) {
            refused(e, drained);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            interrupted();
        } catch (RuntimeException e) {
            failedUnexpectedly(log, handling, e);
        }
        return true;
    }

    /**
     * Starts refusing a body over the cap: its bytes are given back at once (only its size and hash are kept), and
     * a body read to its end needs no draining.
     */
    public void refusingOversize(BodyTooLargeException e) {
        release();
        if (e.complete()) {
            markBodyRead();
        }
        metrics.batchTooLarge();
    }

    /**
     * Answers once the dead letter {@code stored} is in Kafka within {@code timeout}: it is counted as rejected for
     * {@code reason}, then {@code answer} runs; if Kafka did not acknowledge it, {@link #kafkaUnavailable}. The
     * in-flight bytes are given back first; {@code close} ends the connection after a 503.
     */
    public void answerOnceStored(CompletableFuture<?> stored, Duration timeout, DeadLetterReason reason,
                                 Runnable answer, boolean close) {
        stored.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, error) -> {
            release();
            if (error == null) {
                metrics.rejected(reason.code(), 1);
                answer.run();
            } else {
                fail(kafkaUnavailable(error), close);
            }
        });
    }

    /** The 503 for records Kafka did not acknowledge: it says who resends, and when. */
    protected abstract WebhookException kafkaUnavailable(Throwable error);

    /**
     * Answers a body refused as a whole once it is safe in the dead-letter topic ({@code bytes} of it, for
     * {@code reason}): {@code answer}, the 400 that says why.
     */
    protected void answerKept(WebhookException answer, DeadLetterReason reason, int bytes) {
        fail(answer, false);
    }

    /** The dead-letter record's detail header for a body refused as a whole: {@code detail} as it is. */
    protected String deadLetterDetail(String detail) {
        return detail;
    }

    /** The answer to a body over {@code limit} ({@code limits.max-body-bytes}): its 413. */
    protected WebhookException oversizeAnswer(BodyTooLargeException e, long limit) {
        return e.answer(limit);
    }

    /** The error's answer, in the door's format; {@code close} ends the connection after it. */
    public abstract void fail(WebhookException e, boolean close);

    /**
     * Answers a request that failed before anything of it went to Kafka, giving its bytes back. A client not yet
     * authenticated, or a body not read that could not be drained, gets the answer and the connection is closed:
     * nothing more of it is read.
     */
    public void refused(WebhookException e, java.util.function.BooleanSupplier drained) {
        release();
        fail(e, e.status() == 408 || client == null || (!bodyRead && !drained.getAsBoolean()));
    }

    /** Answers a request the server stopped handling: 503, worth resending elsewhere. */
    public void interrupted() {
        release();
        fail(new WebhookException(503, "shutting-down", "the server is stopping", 1), true);
    }

    /** Answers a request that met a bug: 500, logged without the request's content. */
    public void failedUnexpectedly(org.slf4j.Logger log, String handling, RuntimeException e) {
        release();
        log.atError().addKeyValue("exception", e.getClass().getName()).log("unexpected error handling " + handling);
        fail(new WebhookException(500, "internal-error", "unexpected error"), true);
    }

    /** Milliseconds since the request arrived, for the log line. */
    protected long durationMillis() {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Writes the one answer: {@code json} with {@code status}, counted. */
    protected void respond(int status, String json, int retryAfterSeconds, boolean close) {
        metrics.request(status);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        if (status == 405) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
        }
        if (status == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"auditkeeper\"");
        }
        if (retryAfterSeconds > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(retryAfterSeconds));
        }
        if (close) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** {@code {"error", "message"}}: the webhook's error body, which Pub/Sub's answers share. */
    protected static String errorJson(WebhookException e) {
        return "{\"error\":\"" + e.error() + "\",\"message\":\"" + jsonEscape(e.getMessage()) + "\"}";
    }

    /** {@code s} as the inside of a JSON string; null as empty. */
    protected static String jsonEscape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
