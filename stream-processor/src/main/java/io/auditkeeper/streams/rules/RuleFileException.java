package io.auditkeeper.streams.rules;

import java.util.List;

/**
 * A rule file that cannot be used: unreadable, malformed YAML, or a rule with a missing, unknown or invalid field.
 * Thrown at startup; the message names the file, the rule (its id, or its position when the id is missing) and the
 * field, one line per problem, and never repeats the file's content beyond those names.
 */
public final class RuleFileException extends RuntimeException {
    private final String source;
    private final List<String> problems;

    RuleFileException(String source, List<String> problems) {
        super(message(source, problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** The file (or resource) the problems are in. */
    public String source() {
        return source;
    }

    /** Each problem, as a self-contained line that starts with the file's name. */
    public List<String> problems() {
        return problems;
    }

    private static String message(String source, List<String> problems) {
        if (problems.size() == 1) {
            return problems.get(0);
        }
        return "rule file " + source + " has " + problems.size() + " problems:\n  " + String.join("\n  ", problems);
    }
}
