/** The shape of a CLI command; each lives in its own `<name>-command.ts`. */

/** Where a command writes; tests pass buffers, main passes the process streams. */
export interface CliIO {
    out(line: string): void;
    err(line: string): void;
    /** Folder relative paths are taken from. */
    cwd: string;
}

/** One `spade <name>` command. */
export interface Command {
    name: string;
    /** One line for `spade help`. */
    summary: string;
    /** Usage text shown by `spade help <name>` and on wrong arguments. */
    usage: string;
    /** Runs the command; resolves to the process exit code. */
    run(args: string[], io: CliIO): Promise<number>;
}
