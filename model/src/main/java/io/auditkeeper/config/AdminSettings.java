package io.auditkeeper.config;

/**
 * The admin port every service serves {@code /healthz}, {@code /readyz} and {@code /metrics} on: the {@code admin.*}
 * keys of {@link CommonConfig}.
 */
public record AdminSettings(boolean enabled, String host, int port) {
}
