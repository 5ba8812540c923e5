package io.auditkeeper.notifier.config;

/** What a receiver is sent: the alerts of {@code audit.alerts}, and optionally flagged requests of {@code audit.phi-access}. */
public enum AlertSource {
    ALERTS("alerts"), PHI_ACCESS("phi-access");

    private final String code;

    AlertSource(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    static AlertSource of(String code) {
        for (AlertSource s : values()) {
            if (s.code.equals(code.strip())) {
                return s;
            }
        }
        throw new IllegalArgumentException(code);
    }
}
