package io.auditkeeper.localstack;

import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A reserved port: nobody else gets it, while a server that sets SO_REUSEADDR binds it, stopped and started again. */
class PortsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void shouldReserveDifferentPortsWhenAskedForSeveral() {
        List<Ports.Reservation> held = Ports.reserveLoopbackPorts(3);
        try {
            assertThat(held).extracting(Ports.Reservation::port).doesNotHaveDuplicates().allMatch(p -> p > 0);
        } finally {
            Ports.releaseAll(held);
        }
    }

    @Test
    void shouldLetAServerBindAndRebindAReservedPortWhileNobodyElseGetsIt() throws Exception {
        List<Ports.Reservation> held = Ports.reserveLoopbackPorts(1);
        int port = held.get(0).port();
        try {
            for (int restart = 0; restart < 2; restart++) {
                try (ServerSocketChannel server = ServerSocketChannel.open()) {
                    server.bind(new InetSocketAddress(LOOPBACK, port));
                    try (Socket client = new Socket(LOOPBACK, port)) {
                        assertThat(client.isConnected()).isTrue();
                    }
                }
                // stopped: the port refuses connections, and stays taken
                assertThatThrownBy(() -> new Socket(LOOPBACK, port).close()).isInstanceOf(ConnectException.class);
                for (int i = 0; i < 200; i++) {
                    try (ServerSocket other = new ServerSocket(0, 1, LOOPBACK)) {
                        assertThat(other.getLocalPort()).as("a bind to port 0 got the reserved port").isNotEqualTo(port);
                    }
                }
                try (ServerSocket other = new ServerSocket()) {
                    other.setReuseAddress(false);
                    assertThatThrownBy(() -> other.bind(new InetSocketAddress(LOOPBACK, port)))
                            .isInstanceOf(BindException.class);
                }
            }
        } finally {
            Ports.releaseAll(held);
        }
        try (ServerSocket after = new ServerSocket()) {
            after.setReuseAddress(false);
            after.bind(new InetSocketAddress(LOOPBACK, port));
            assertThat(after.getLocalPort()).as("released").isEqualTo(port);
        }
    }
}
