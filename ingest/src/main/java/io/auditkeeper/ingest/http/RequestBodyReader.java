package io.auditkeeper.ingest.http;

import io.auditkeeper.model.DeadLetterReason;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a request body into memory under three bounds: a deadline for the whole body (a slow or stalled client gets
 * 408, however it trickles), a size limit that applies to the bytes on the wire and again after decompression (so a
 * gzip bomb stops at the limit), and the shared in-flight budget. A body over the size limit is read on to its end
 * through SHA-256 without being stored ({@link BodyTooLargeException}), so that its loss can be recorded.
 */
public final class RequestBodyReader {
    private static final int CHUNK = 64 * 1024;

    private final long maxBodyBytes;
    private final Duration readTimeout;

    public RequestBodyReader(long maxBodyBytes, Duration readTimeout) {
        this.maxBodyBytes = maxBodyBytes;
        this.readTimeout = readTimeout;
    }

    /** Null for an identity body, "gzip" for gzip; anything else is refused. */
    public static String contentEncoding(Request request) throws WebhookException {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type != null && !type.toLowerCase().contains("json")) {
            throw new WebhookException(415, "unsupported-media-type", "the body must be application/json");
        }
        String enc = request.getHeaders().get(HttpHeader.CONTENT_ENCODING);
        if (enc == null || enc.isBlank() || enc.equalsIgnoreCase("identity")) {
            return null;
        }
        if (enc.equalsIgnoreCase("gzip") || enc.equalsIgnoreCase("x-gzip")) {
            return "gzip";
        }
        throw new WebhookException(415, "unsupported-content-encoding", "Content-Encoding must be gzip or identity");
    }

    /** A body: {@code bytes[0..length)}. */
    public record Body(byte[] bytes, int length, int wireLength) {
    }

    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    /** What reading a request's body came to: the body, read and decoded, or why it was refused. */
    public sealed interface Intake {
        /**
         * The body as it came ({@code wire}) and decoded ({@code body}; the same when it was not encoded), and the
         * {@code Content-Encoding} it came in (null: none).
         */
        record Read(Body wire, Body body, String encoding) implements Intake {
        }

        /** Read, but its {@code Content-Encoding} could not be undone: {@code answer} is the 400 to give once kept. */
        record BadEncoding(Body wire, WebhookException answer) implements Intake {
        }

        /** Over {@code limits.max-body-bytes}, on the wire or decoded. */
        record TooLarge(BodyTooLargeException error) implements Intake {
        }
    }

    /**
     * Reads the body of the request {@code exchange} stands for, charging its reservation, and decodes it as
     * {@code encoding} says ({@link #contentEncoding}): what every door of ingest does before it looks at a body.
     *
     * @throws WebhookException when the body did not arrive in time, or the client's bytes in flight ran out
     */
    public Intake intake(Request request, DoorExchange exchange, String encoding)
            throws WebhookException, InterruptedException {
        Body wire;
        try {
            wire = readWire(request, exchange.reservation());
            exchange.markBodyRead();
            try {
                return new Intake.Read(wire, encoding == null ? wire : gunzip(wire, exchange.reservation()), encoding);
            } catch (WebhookException e) {
                if (e.status() != 400) {
                    throw e;
                }
                return new Intake.BadEncoding(wire, e);
            }
        } catch (BodyTooLargeException e) {
            return new Intake.TooLarge(e);
        }
    }

    /**
     * The bytes as sent; fails with 408 at the deadline, 429 over the in-flight budget, and with
     * {@link BodyTooLargeException} over the size limit (the rest of the body then read and hashed, not stored).
     */
    public Body readWire(Request request, InFlightBytesLimiter.Reservation reservation)
            throws WebhookException, BodyTooLargeException, InterruptedException {
        long declared = request.getLength();
        long deadline = System.nanoTime() + readTimeout.toNanos();
        if (declared > maxBodyBytes) {
            throw readOversize(request, deadline, sha256(), 0);
        }
        // Memory is taken, and charged, as bytes arrive: a declared length only caps the buffer, so a client that
        // announces a large body and sends it slowly holds what it has sent, not what it promised.
        long capacityCap = declared >= 0 ? declared : maxBodyBytes;
        byte[] buf = new byte[0];
        int length = 0;
        while (true) {
            Content.Chunk chunk = nextChunk(request, deadline);
            if (chunk == null) {
                throw new WebhookException(408, "request-timeout",
                        "the body did not arrive within " + readTimeout.toMillis() + " ms (limits.read-timeout-ms)", 1);
            }
            try {
                if (Content.Chunk.isFailure(chunk)) {
                    throw new WebhookException(400, "read-failed", "the request body could not be read");
                }
                ByteBuffer bb = chunk.getByteBuffer();
                int n = bb.remaining();
                if (n > 0) {
                    if (length + (long) n > maxBodyBytes) {
                        MessageDigest digest = sha256();
                        digest.update(buf, 0, length);
                        digest.update(bb);
                        long received = length + (long) n;
                        buf = null;
                        boolean last = chunk.isLast();
                        chunk.release();
                        chunk = null;
                        throw last ? new BodyTooLargeException(received, HexFormat.of().formatHex(digest.digest()), false)
                                : readOversize(request, deadline, digest, received);
                    }
                    if (length + n > buf.length) {
                        int grown = (int) Math.max(length + (long) n,
                                Math.min(capacityCap, Math.max(CHUNK, (long) buf.length * 2)));
                        reservation.charge(grown - buf.length);
                        buf = Arrays.copyOf(buf, grown);
                    }
                    bb.get(buf, length, n);
                    length += n;
                }
                if (chunk.isLast()) {
                    return new Body(buf, length, length);
                }
            } finally {
                if (chunk != null) {
                    chunk.release();
                }
            }
        }
    }

    /**
     * Reads the rest of an oversize body through the digest, storing nothing, until its end or the read deadline;
     * what is known of it.
     */
    private static BodyTooLargeException readOversize(Request request, long deadline, MessageDigest digest, long received)
            throws InterruptedException {
        while (true) {
            Content.Chunk chunk = nextChunk(request, deadline);
            if (chunk == null) {
                return new BodyTooLargeException(received, null, false);
            }
            try {
                if (Content.Chunk.isFailure(chunk)) {
                    return new BodyTooLargeException(received, null, false);
                }
                ByteBuffer bb = chunk.getByteBuffer();
                received += bb.remaining();
                digest.update(bb);
                if (chunk.isLast()) {
                    return new BodyTooLargeException(received, HexFormat.of().formatHex(digest.digest()), false);
                }
            } finally {
                chunk.release();
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #drain}, with an interrupt kept for the caller's thread and answered as "not drained". */
    public boolean drainQuietly(Request request) {
        try {
            return drain(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Reads and drops what is left of a body that will not be used, so that an early answer (401, 413, 429, ...)
     * reaches the client on a connection that stays open: closing a socket with unread input resets it, and the
     * client may never see the answer. Bounded by the body limit and the read timeout; false if the rest could
     * not be drained within them (the connection must then be closed).
     */
    public boolean drain(Request request) throws InterruptedException {
        long deadline = System.nanoTime() + readTimeout.toNanos();
        long drained = 0;
        while (true) {
            Content.Chunk chunk = nextChunk(request, deadline);
            if (chunk == null) {
                return false;
            }
            try {
                if (Content.Chunk.isFailure(chunk)) {
                    return false;
                }
                drained += chunk.remaining();
                if (chunk.isLast()) {
                    return true;
                }
                if (drained > maxBodyBytes) {
                    return false;
                }
            } finally {
                chunk.release();
            }
        }
    }

    /** The next chunk of the body, waiting for it until the deadline; null if it did not come in time. */
    private static Content.Chunk nextChunk(Request request, long deadline) throws InterruptedException {
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk != null) {
                return chunk;
            }
            CountDownLatch ready = new CountDownLatch(1);
            request.demand(ready::countDown);
            long left = deadline - System.nanoTime();
            if (left <= 0 || !ready.await(left, TimeUnit.NANOSECONDS)) {
                return null;
            }
        }
    }

    /** Decompresses a gzip body under the same size limit; 400 if it is not gzip. */
    public Body gunzip(Body wire, InFlightBytesLimiter.Reservation reservation)
            throws WebhookException, BodyTooLargeException {
        byte[] out = new byte[(int) Math.min(maxBodyBytes, Math.max(CHUNK, (long) wire.length() * 4))];
        int length = 0;
        long reserved = 0;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(wire.bytes(), 0, wire.length()), CHUNK)) {
            while (true) {
                if (length == out.length) {
                    if (length >= maxBodyBytes) {
                        if (in.read() < 0) {
                            break;
                        }
                        MessageDigest digest = sha256();
                        digest.update(wire.bytes(), 0, wire.length());
                        throw new BodyTooLargeException(wire.length(), HexFormat.of().formatHex(digest.digest()), true);
                    }
                    out = Arrays.copyOf(out, (int) Math.min(maxBodyBytes, (long) out.length * 2));
                }
                if (out.length > reserved) {
                    reservation.charge(out.length - reserved);
                    reserved = out.length;
                }
                int n = in.read(out, length, out.length - length);
                if (n < 0) {
                    break;
                }
                length += n;
            }
        } catch (ZipException | java.io.EOFException e) {
            throw new WebhookException(400, DeadLetterReason.BAD_CONTENT_ENCODING.code(), "the body is not valid gzip");
        } catch (IOException e) {
            throw new WebhookException(400, DeadLetterReason.BAD_CONTENT_ENCODING.code(), "the body could not be decompressed");
        }
        return new Body(out, length, wire.length());
    }
}
