package io.auditkeeper.streams.alerts;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AlertDetectorsTest {
    private static final long T0 = 1_800_000_000_000L;
    private final AlertDetectors detectors = new AlertDetectors(new AlertDetectors.Settings(
            3, Duration.ofMinutes(10), 4, Duration.ofMinutes(5), Duration.ofHours(24)));
    private final Map<String, ActorWindow> store = new HashMap<>();
    private final AlertDetectors.State state = new AlertDetectors.State() {
        @Override
        public ActorWindow get(String key) {
            return store.get(key);
        }

        @Override
        public void put(String key, ActorWindow window) {
            store.put(key, window);
        }
    };

    private List<Alert> feed(String actor, String rule, String namespace, String name, long at, String auditId) {
        return detectors.onRequest(new FlaggedRequest("east", actor, auditId, at, List.of(rule), namespace, name), state);
    }

    @Test
    void shouldRaiseSecretEnumerationWhenOneActorReadsTheThresholdOfDistinctSecretsInTheWindow() {
        assertThat(feed("mallory", "secret-read", "phi-a", "s1", T0, "id-1")).isEmpty();
        assertThat(feed("mallory", "secret-read", "phi-a", "s1", T0 + 1000, "id-2")).as("same secret again").isEmpty();
        assertThat(feed("mallory", "secret-read", "phi-a", "s2", T0 + 2000, "id-3")).isEmpty();
        List<Alert> alerts = feed("mallory", "secret-read", "phi-b", "s3", T0 + 3000, "id-4");

        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.type()).isEqualTo("secret-enumeration");
            assertThat(a.actor()).isEqualTo("mallory");
            assertThat(a.count()).isEqualTo(3);
            assertThat(a.auditIDs()).containsExactly("id-1", "id-2", "id-3", "id-4");
            assertThat(a.namespaces()).containsExactly("phi-a", "phi-b");
            assertThat(a.windowStart()).isEqualTo("2027-01-15T08:00:00.000000Z");
        });
        assertThat(feed("mallory", "secret-read", "phi-b", "s4", T0 + 4000, "id-5")).as("once per window").isEmpty();
    }

    @Test
    void shouldNotRaiseSecretEnumerationWhenTheReadsAreSpreadBeyondTheWindowOrOverActors() {
        assertThat(feed("a", "secret-read", "phi-a", "s1", T0, "1")).isEmpty();
        assertThat(feed("a", "secret-read", "phi-a", "s2", T0 + Duration.ofMinutes(6).toMillis(), "2")).isEmpty();
        assertThat(feed("a", "secret-read", "phi-a", "s3", T0 + Duration.ofMinutes(12).toMillis(), "3")).isEmpty();
        assertThat(feed("b", "secret-read", "phi-a", "s4", T0 + Duration.ofMinutes(12).toMillis(), "4")).isEmpty();
    }

    @Test
    void shouldRaiseADeniedBurstAtTheThresholdAndNotOneBefore() {
        List<Alert> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.addAll(feed("bot", "access-denied", "phi-a", "x", T0 + i, "d" + i));
        }
        assertThat(all).isEmpty();

        assertThat(feed("bot", "access-denied", "phi-a", "x", T0 + 10, "d3")).singleElement()
                .satisfies(a -> assertThat(a.type()).isEqualTo("denied-burst"));
    }

    @Test
    void shouldRaiseNewExecOnlyForTheFirstExecOfAnIdentityInTheLookback() {
        assertThat(feed("jane", "pod-exec", "phi-a", "ehr-0", T0, "e1")).singleElement()
                .satisfies(a -> assertThat(a.type()).isEqualTo("new-exec"));
        assertThat(feed("jane", "pod-exec", "phi-a", "ehr-1", T0 + Duration.ofHours(2).toMillis(), "e2")).isEmpty();
        assertThat(feed("jane", "pod-exec", "phi-a", "ehr-1", T0 + Duration.ofHours(50).toMillis(), "e3")).hasSize(1);
        assertThat(feed("joe", "pod-exec", "phi-a", "ehr-0", T0, "e4")).hasSize(1);
    }

    @Test
    void shouldGiveTheSameAlertIdForTheSameInput() {
        List<Alert> a = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            a.addAll(feed("m", "secret-read", "phi-a", "s" + i, T0 + i, "id-" + i));
        }
        store.clear();
        List<Alert> b = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            b.addAll(feed("m", "secret-read", "phi-a", "s" + i, T0 + i, "id-" + i));
        }
        assertThat(a).hasSize(1);
        assertThat(a.get(0).alertId()).isEqualTo(b.get(0).alertId()).hasSize(32);
    }
}
