package io.auditkeeper.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP forwarder on loopback that can cut the network between a client and a real server, and restore it. Why:
 * tests of what happens while a store is down (S3 or OpenSearch unreachable) should see a real outage from the
 * client's side, connection resets and refused connections, while the store itself keeps its data and comes back on
 * the same address. While cut, open connections are reset and new ones are accepted and closed at once. It can also
 * lose the answer to one request ({@link #loseResponseTo}): the server did the work, the client never hears of it.
 *
 * <p>It can stall ({@link #stall}): connections stay open and nothing goes through, what a client sees of a store
 * that hangs or of a network that drops packets silently, and only its own timeouts end its wait.
 *
 * <p>And it can hold one request ({@link #hold}): stall its exchange at a chosen {@link HoldStage}, the connection kept
 * open, so that a test knows exactly how far a request got when it kills the client process for real. Requests are
 * told apart by their first bytes (an HTTP request line: method, path), so this works for plain HTTP/1.1 without
 * pipelining, where every request starts a read.
 */
public final class TcpProxy implements AutoCloseable {
    /** How far a held request's exchange gets ({@link #hold}). */
    public enum HoldStage {
        /** Nothing of the request is forwarded: the server never sees it. */
        BEFORE_REQUEST,
        /**
         * The request's head and the first half of its body (by its {@code Content-Length}) are forwarded, then
         * nothing more: the server has an incomplete request.
         */
        PART_OF_REQUEST,
        /**
         * The whole request is forwarded and the server's final answer (not an interim {@code 100 Continue}) is held:
         * the server did the work, the client waits for an answer.
         */
        ANSWER
    }

    private static final int RESET = -1;
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length:\\s*(\\d+)\\s*$");

    /** A {@link #hold} armed and not yet used: the matching requests still to let through, and who waits for it. */
    private record Armed(String requestStart, HoldStage stage, AtomicInteger toLetPass, CompletableFuture<String> held) {
    }

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Set<Socket> held = ConcurrentHashMap.newKeySet();
    private final List<Runnable> releasers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private final AtomicReference<String> loseResponseTo = new AtomicReference<>();
    private final AtomicReference<Armed> armed = new AtomicReference<>();
    private volatile boolean cut;
    private volatile boolean stalled;
    private volatile boolean closed;

    private TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
    }

    /** Starts forwarding from a free loopback port to {@code host:port}. */
    public static TcpProxy start(String host, int port) throws IOException {
        TcpProxy p = new TcpProxy(new InetSocketAddress(host, port));
        p.acceptor.start();
        return p;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Resets every open connection (held and stalled ones too) and refuses new ones until {@link #restore}. */
    public void cut() {
        cut = true;
        for (Set<Socket> sockets : List.of(open, held)) {
            for (Socket s : sockets) {
                closeQuietly(s);
            }
            sockets.clear();
        }
    }

    /**
     * Forwards nothing, in either direction, until {@link #restore}, and keeps every connection open: new ones are
     * accepted and never answered, and what is sent over the open ones is dropped, so that no request reaches the
     * server and no answer the client.
     */
    public void stall() {
        stalled = true;
    }

    /** Ends a {@link #cut} or a {@link #stall}; the connections a stall held are reset (nothing can resume on them). */
    public void restore() {
        cut = false;
        if (stalled) {
            resetAll();
            stalled = false;
            // those accepted while the loop above ran
            resetAll();
        }
    }

    private void resetAll() {
        for (Set<Socket> sockets : List.of(open, held)) {
            for (Socket s : sockets) {
                reset(s);
            }
            sockets.clear();
        }
    }

    /**
     * Loses the answer to the next request whose first bytes are {@code requestStart} (an HTTP method and a space, say
     * {@code "PUT "}): the request reaches the server, and when the server's answer arrives both connections are reset
     * instead. What a client sees when a network fails after the server did the work.
     */
    public void loseResponseTo(String requestStart) {
        loseResponseTo.set(requestStart);
    }

    /** As {@link #hold(String, int, HoldStage)}, holding the very next matching request. */
    public CompletableFuture<String> hold(String requestStart, HoldStage stage) {
        return hold(requestStart, 0, stage);
    }

    /**
     * Holds the exchange of a request whose first bytes are {@code requestStart} (a method and the start of a path,
     * say {@code "PUT /bucket/events/"}), after letting {@code letPassFirst} such requests through: its connection
     * stays open, and from {@code stage} on nothing more goes in the held direction (what arrives there is read and
     * dropped), until either side closes it or {@link #cut} resets it. The other direction keeps going. One hold is
     * armed at a time; arming another replaces one not used yet (whose future is cancelled).
     *
     * @return completed with the held request's first line once the hold has happened: for
     * {@link HoldStage#PART_OF_REQUEST} once the part was forwarded, for {@link HoldStage#ANSWER} once the server's
     * answer arrived (so the server has done the work)
     */
    public CompletableFuture<String> hold(String requestStart, int letPassFirst, HoldStage stage) {
        Armed h = new Armed(requestStart, stage, new AtomicInteger(letPassFirst), new CompletableFuture<>());
        Armed before = armed.getAndSet(h);
        if (before != null) {
            before.held().cancel(false);
        }
        return h.held();
    }

    /**
     * Ends every {@link #hold} in place: what each held direction kept is forwarded, and the exchange goes on as if
     * nothing had happened, only late. For a client that must get the answer it waited for (and act on it) after
     * something else happened meanwhile, say after its process was frozen and thawed.
     */
    /** Sockets open through the proxy now, both sides counted; for tests that wait for a side to close. */
    int openSockets() {
        return open.size();
    }

    public void releaseHeld() {
        List<Runnable> now = List.copyOf(releasers);
        releasers.removeAll(now);
        now.forEach(Runnable::run);
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (cut) {
                reset(client);
                continue;
            }
            if (stalled) {
                held.add(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 5_000);
            } catch (IOException e) {
                reset(client);
                closeQuietly(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            Exchange exchange = new Exchange();
            pipe(client, upstream, exchange.requests);
            pipe(upstream, client, exchange.answers);
        }
    }

    /** What one direction of a connection lets through: bytes to forward of each chunk read, and whether it is held. */
    private interface Gate {
        /** How many of the {@code n} bytes read to forward (from the start), or {@link #RESET} to reset both sides. */
        int admit(byte[] chunk, int n);

        /** Called after the admitted bytes were forwarded: true when nothing more is to go this way. */
        boolean holding();
    }

    /** The state of one client connection: the requests going up, the answers coming back. */
    private final class Exchange {
        private volatile boolean loseNextAnswer;
        private volatile Armed holdNextAnswer;
        private Armed holdingRequest;
        private String heldLine;
        private long requestAllowance = -1;

        final Gate requests = new Gate() {
            private boolean held;

            @Override
            public int admit(byte[] chunk, int n) {
                if (requestAllowance >= 0) {
                    int pass = (int) Math.min(n, requestAllowance);
                    requestAllowance -= pass;
                    return pass;
                }
                String start = new String(chunk, 0, Math.min(n, 512), StandardCharsets.ISO_8859_1);
                String lose = loseResponseTo.get();
                if (lose != null && start.startsWith(lose) && loseResponseTo.compareAndSet(lose, null)) {
                    loseNextAnswer = true;
                }
                Armed h = armed.get();
                if (h == null || !start.startsWith(h.requestStart()) || h.toLetPass().getAndDecrement() > 0
                        || !armed.compareAndSet(h, null)) {
                    return n;
                }
                String line = start.contains("\r\n") ? start.substring(0, start.indexOf("\r\n")) : start;
                switch (h.stage()) {
                    case BEFORE_REQUEST -> {
                        holdingRequest = h;
                        heldLine = line;
                        requestAllowance = 0;
                        return 0;
                    }
                    case PART_OF_REQUEST -> {
                        holdingRequest = h;
                        heldLine = line;
                        requestAllowance = partOf(new String(chunk, 0, n, StandardCharsets.ISO_8859_1), n);
                        int pass = (int) Math.min(n, requestAllowance);
                        requestAllowance -= pass;
                        return pass;
                    }
                    default -> {
                        holdNextAnswer = h;
                        heldLine = line;
                        return n;
                    }
                }
            }

            @Override
            public boolean holding() {
                if (!held && holdingRequest != null && requestAllowance == 0) {
                    held = true;
                    holdingRequest.held().complete(heldLine);
                }
                return held;
            }
        };

        final Gate answers = new Gate() {
            private boolean held;

            @Override
            public int admit(byte[] chunk, int n) {
                // an interim "100 Continue" (a PUT with Expect: 100-continue) goes through: what is lost or held is the
                // final answer
                boolean interim = new String(chunk, 0, Math.min(n, 12), StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 100");
                if (interim) {
                    return n;
                }
                if (loseNextAnswer) {
                    return RESET;
                }
                if (holdNextAnswer != null) {
                    held = true;
                    return 0;
                }
                return n;
            }

            @Override
            public boolean holding() {
                if (held && holdNextAnswer != null) {
                    holdNextAnswer.held().complete(heldLine);
                    holdNextAnswer = null;
                }
                return held;
            }
        };
    }

    /** The bytes of a request to forward before holding it: its head and half its body ({@code text} holds the head). */
    private static long partOf(String text, int n) {
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            return Math.max(1, n / 2);
        }
        Matcher length = CONTENT_LENGTH.matcher(text.substring(0, headEnd + 2));
        long body = length.find() ? Long.parseLong(length.group(1)) : 0;
        return headEnd + 4 + body / 2;
    }

    /**
     * Copies {@code from} to {@code to} as {@code gate} lets it; once held, keeps what it reads until either side closes
     * or {@link #releaseHeld} forwards it all and lets the rest through.
     */
    private void pipe(Socket from, Socket to, Gate gate) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
            boolean[] holding = {false};
            boolean[] released = {false};
            boolean[] ended = {false};
            // the output is closed with its socket, not here: closing a socket's stream closes the socket, and a held
            // answer must still go out on release after its sender closed
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (kept) {
                        if (holding[0]) {
                            kept.write(buffer, 0, n);
                            continue;
                        }
                    }
                    if (stalled) {
                        continue;
                    }
                    int pass = released[0] ? n : gate.admit(buffer, n);
                    if (pass == RESET) {
                        reset(from);
                        reset(to);
                        return;
                    }
                    synchronized (kept) {
                        if (pass > 0) {
                            out.write(buffer, 0, pass);
                            out.flush();
                        }
                        if (!released[0] && gate.holding()) {
                            holding[0] = true;
                            kept.write(buffer, pass, n - pass);
                            releasers.add(() -> {
                                synchronized (kept) {
                                    try {
                                        out.write(kept.toByteArray());
                                        out.flush();
                                    } catch (IOException closed) {
                                        // the connection is gone: nothing to release into
                                    }
                                    kept.reset();
                                    holding[0] = false;
                                    released[0] = true;
                                    if (ended[0]) {
                                        closeQuietly(to);
                                    }
                                }
                            });
                        }
                    }
                }
            } catch (IOException ignored) {
                // the other side closed, or the proxy cut the connection
            } finally {
                closeQuietly(from);
                open.remove(from);
                synchronized (kept) {
                    // a held answer whose sender has since closed (a keep-alive timeout) is still delivered on release,
                    // then the connection is closed, as the sender did
                    if (holding[0] && !released[0]) {
                        ended[0] = true;
                    } else {
                        closeQuietly(to);
                        open.remove(to);
                    }
                }
            }
        }, "tcp-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // closing anyway
        }
        closeQuietly(s);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        cut();
        for (Socket s : held) {
            closeQuietly(s);
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
