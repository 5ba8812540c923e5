package io.auditkeeper.streams.dedupe;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** On a real RocksDB window store, as the topology uses it (without a changelog: nothing to send it to here). */
class SeenWithinWindowTest {
    private static final Duration WINDOW = Duration.ofHours(1);
    private static final long T0 = 1_795_000_000_000L;

    @TempDir
    Path stateDir;
    private WindowStore<String, Long> store;

    @BeforeEach
    void open() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "seen-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>(p, new org.apache.kafka.streams.processor.TaskId(0, 0), stateDir.toFile());
        store = Stores.windowStoreBuilder(Stores.persistentWindowStore("seen", SeenWithinWindow.retention(WINDOW), WINDOW, false),
                Serdes.String(), Serdes.Long()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void shouldDropARepeatWithinTheWindowAndKeepANewKey() {
        SeenWithinWindow seen = new SeenWithinWindow(store, WINDOW);

        assertThat(seen.firstTime("c/a/ResponseComplete", T0)).isTrue();
        assertThat(seen.firstTime("c/a/ResponseComplete", T0 + Duration.ofMinutes(59).toMillis())).isFalse();
        assertThat(seen.firstTime("c/a/RequestReceived", T0)).isTrue();
        assertThat(seen.firstTime("c/b/ResponseComplete", T0 + 1)).isTrue();
    }

    @Test
    void shouldDropARepeatWhenItComesAfterARestartThatRebuiltTheFilterFromTheStore() {
        SeenWithinWindow before = new SeenWithinWindow(store, WINDOW);
        for (int i = 0; i < 50_000; i++) {
            assertThat(before.firstTime("c/id-" + i + "/ResponseComplete", T0 + i)).isTrue();
        }

        SeenWithinWindow after = new SeenWithinWindow(store, WINDOW);

        for (int i = 0; i < 50_000; i += 7) {
            assertThat(after.firstTime("c/id-" + i + "/ResponseComplete", T0 + 60_000 + i)).as("repeat %d", i).isFalse();
        }
        assertThat(after.firstTime("c/id-new/ResponseComplete", T0 + 60_000)).isTrue();
    }

    @Test
    void shouldCatchARepeatInTheNeighbouringBucketsWhenItCrossesABucketEdge() {
        SeenWithinWindow seen = new SeenWithinWindow(store, WINDOW);
        long edge = T0 - Math.floorMod(T0, WINDOW.toMillis()) + WINDOW.toMillis();

        assertThat(seen.firstTime("late", edge - 1_000)).isTrue();
        assertThat(seen.firstTime("late", edge + 1_000)).as("next bucket, looks back").isFalse();
        assertThat(seen.firstTime("early", edge + 1_000)).isTrue();
        assertThat(seen.firstTime("early", edge - 1_000)).as("previous bucket, looks ahead").isFalse();
    }

    @Test
    void shouldKeepARepeatThatComesAfterTheWindowAndForgetOldBuckets() {
        SeenWithinWindow seen = new SeenWithinWindow(store, WINDOW);
        assertThat(seen.firstTime("k", T0)).isTrue();
        for (int h = 1; h <= 8; h++) {
            seen.firstTime("filler-" + h, T0 + Duration.ofHours(h).toMillis());
        }

        assertThat(seen.firstTime("k", T0 + Duration.ofHours(8).toMillis())).isTrue();
        assertThat(seen.filteredBuckets()).as("filters only for the buckets the store keeps, and one more").isLessThanOrEqualTo(5);
    }

    @Test
    void shouldNeverSayAbsentForAKeyItHoldsWhenFilled() {
        BloomFilter f = new BloomFilter(1000);
        for (int i = 0; i < 1000; i++) {
            f.add("key-" + i);
        }
        int falsePositives = 0;
        for (int i = 0; i < 1000; i++) {
            assertThat(f.mightContain("key-" + i)).isTrue();
            falsePositives += f.mightContain("other-" + i) ? 1 : 0;
        }
        assertThat(f.isFull()).isTrue();
        assertThat(falsePositives).as("about 1% by design").isLessThan(50);
    }

    @Test
    void shouldTellARepeatFromAConflictByTheContentHash() {
        SeenWithinWindow seen = new SeenWithinWindow(store, WINDOW);
        ContentHash hash = new ContentHash();
        long first = hash.of("first".getBytes());
        long other = hash.of("other".getBytes());

        assertThat(seen.seen("c/a/ResponseComplete", T0, first)).isInstanceOf(SeenWithinWindow.First.class);
        assertThat(seen.seen("c/a/ResponseComplete", T0 + 10, first)).isInstanceOf(SeenWithinWindow.Repeat.class);
        assertThat(seen.seen("c/a/ResponseComplete", T0 + 20, other)).isEqualTo(new SeenWithinWindow.Conflict(first));
        assertThat(seen.seen("c/a/ResponseComplete", T0 + 30, first)).as("the first stays")
                .isInstanceOf(SeenWithinWindow.Repeat.class);
    }

    @Test
    void shouldTreatAnEntryOfThePreviousVersionAsARepeatWhateverTheContent() {
        store.put("c/old/ResponseComplete", T0, T0 - Math.floorMod(T0, WINDOW.toMillis()));
        SeenWithinWindow seen = new SeenWithinWindow(store, WINDOW);

        assertThat(seen.seen("c/old/ResponseComplete", T0 + 10, new ContentHash().of("any".getBytes())))
                .as("stored as a timestamp, without a hash: content unknown").isInstanceOf(SeenWithinWindow.Repeat.class);
        assertThat(seen.firstTime("c/new/ResponseComplete", T0)).isTrue();
    }

    @Test
    void shouldSetTheTopBitOfEveryContentHash() {
        ContentHash hash = new ContentHash();
        for (int i = 0; i < 1000; i++) {
            long h = hash.of(("event-" + i).getBytes());
            assertThat(ContentHash.isHash(h)).isTrue();
            assertThat(ContentHash.hex(h)).hasSize(16);
        }
        assertThat(ContentHash.isHash(T0)).isFalse();
    }
}
