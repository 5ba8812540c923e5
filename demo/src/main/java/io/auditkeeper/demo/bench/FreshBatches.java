package io.auditkeeper.demo.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.demo.ApiserverClock;
import io.auditkeeper.demo.CorpusFiles;
import io.auditkeeper.model.AuditJson;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code EventList} batches of real audit events, each with a fresh auditID and the current time (as the apiserver writes it), made by splicing
 * bytes: the corpus is parsed once into templates cut where the auditID and the two timestamps go. Why: a client that
 * rebuilds JSON trees for 50,000 events a second takes a core of a two-core machine, and its cost would be charged to
 * the pipeline it is measuring. The events are otherwise the corpus's, so every stage does its real work on them.
 */
final class FreshBatches {
    private static final String AUDIT_ID = "@@auditkeeper-bench-audit-id@@";
    private static final String TIME = "@@auditkeeper-bench-time@@";
    private static final byte[] HEAD = "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":["
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] TAIL = "]}".getBytes(StandardCharsets.UTF_8);

    /** One corpus event cut into pieces; between piece i and i+1 goes {@code slots[i]} (an auditID or the time). */
    private record Template(byte[][] pieces, boolean[] auditIdSlots) {
    }

    private final List<Template> templates = new ArrayList<>();

    FreshBatches(CorpusFiles corpus) {
        for (byte[] event : corpus.events()) {
            try {
                ObjectNode e = (ObjectNode) AuditJson.mapper().readTree(event);
                e.put("auditID", AUDIT_ID);
                e.put("requestReceivedTimestamp", TIME);
                e.put("stageTimestamp", TIME);
                templates.add(cut(AuditJson.mapper().writeValueAsString(e)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (templates.isEmpty()) {
            throw new IllegalStateException("no events in " + corpus.dir());
        }
    }

    private static Template cut(String json) {
        List<byte[]> pieces = new ArrayList<>();
        List<Boolean> slots = new ArrayList<>();
        int from = 0;
        while (true) {
            int a = json.indexOf(AUDIT_ID, from);
            int t = json.indexOf(TIME, from);
            if (a < 0 && t < 0) {
                break;
            }
            boolean isId = t < 0 || (a >= 0 && a < t);
            int at = isId ? a : t;
            pieces.add(json.substring(from, at).getBytes(StandardCharsets.UTF_8));
            slots.add(isId);
            from = at + (isId ? AUDIT_ID : TIME).length();
        }
        pieces.add(json.substring(from).getBytes(StandardCharsets.UTF_8));
        boolean[] s = new boolean[slots.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = slots.get(i);
        }
        return new Template(pieces.toArray(byte[][]::new), s);
    }

    /** A batch of {@code size} events picked at random from the corpus, each with a fresh auditID, stamped now. */
    byte[] next(int size) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] now = ApiserverClock.now().getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size * 2048);
        out.writeBytes(HEAD);
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                out.write(',');
            }
            Template t = templates.get(random.nextInt(templates.size()));
            byte[] id = new UUID(random.nextLong() & ~0xF000L | 0x4000L, random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L)
                    .toString().getBytes(StandardCharsets.US_ASCII);
            for (int p = 0; p < t.pieces().length; p++) {
                out.writeBytes(t.pieces()[p]);
                if (p < t.auditIdSlots().length) {
                    out.writeBytes(t.auditIdSlots()[p] ? id : now);
                }
            }
        }
        out.writeBytes(TAIL);
        return out.toByteArray();
    }
}
