package io.auditkeeper.demo.bench;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** A bench command run with {@code args} as a user would type them: its exit code and what it wrote to stderr. */
record CommandRun(int code, String err) {
    static CommandRun of(Object command, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new CommandRun(code, err.toString());
    }
}
