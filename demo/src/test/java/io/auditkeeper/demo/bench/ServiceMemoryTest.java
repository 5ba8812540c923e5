package io.auditkeeper.demo.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceMemoryTest {
    private static final String METRICS = """
            # HELP jvm_memory_used_bytes The amount of used memory
            # TYPE jvm_memory_used_bytes gauge
            jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.2582912E7
            jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 3.3554432E7
            jvm_memory_used_bytes{area="heap",id="G1 Survivor Space"} 1048576.0
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 4.0E7
            jvm_memory_max_bytes{area="heap",id="G1 Old Gen"} 1.073741824E9
            kafka_consumer_fetch_manager_records_lag_max{client_id="sp-1-StreamThread-1-consumer"} 1200.0
            kafka_consumer_fetch_manager_records_lag_max{client_id="sp-1-StateUpdater-1-restore-consumer"} 90000.0
            kafka_consumer_fetch_manager_records_lag_max{client_id="sp-1-StreamThread-2-consumer"} NaN
            auditkeeper_archiver_consumer_group_lag{group="auditkeeper-archiver-index",stage="index"} 3400.0
            """;

    @Test
    void shouldSumTheHeapPoolsWhenTheExpositionHasNonHeapPoolsToo() {
        assertThat(ServiceMemory.heapUsedBytes(METRICS)).isEqualTo(12_582_912L + 33_554_432L + 1_048_576L);
    }

    @Test
    void shouldSayUnknownWhenTheExpositionHasNoHeapPool() {
        assertThat(ServiceMemory.heapUsedBytes("process_cpu_usage 0.5\n")).isEqualTo(-1);
    }

    @Test
    void shouldTakeTheLargestLagWhenRestoreConsumersAndNaNAreAmongThem() {
        assertThat(ServiceMemory.largestLag(METRICS)).isEqualTo(3400);
        assertThat(ServiceMemory.largestLag("jvm_threads_live_threads 40\n")).isEqualTo(-1);
    }

    @Test
    void shouldReadVmRssInBytesWhenGivenAProcStatusText() {
        String status = """
                Name:\tjava
                VmPeak:\t 5000000 kB
                VmHWM:\t  900000 kB
                VmRSS:\t  812344 kB
                Threads:\t42
                """;

        assertThat(ServiceMemory.rssBytes(status)).isEqualTo(812_344L * 1024);
        assertThat(ServiceMemory.rssBytes("Name:\tjava\n")).isEqualTo(-1);
    }

    @Test
    void shouldReadTheMaxHeapWhenTheOptionsSetXmx() {
        assertThat(ServiceMemory.maxHeapBytes(List.of("-Xmx1g", "-XX:+UseG1GC"))).isEqualTo(1L << 30);
        assertThat(ServiceMemory.maxHeapBytes(List.of("-Xmx384m"))).isEqualTo(384L << 20);
        assertThat(ServiceMemory.maxHeapBytes(List.of("-XX:+UseG1GC"))).isEqualTo(-1);
    }
}
