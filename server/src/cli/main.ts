/**
 * The `spade` CLI entry (bundled to dist/cli.js). A command is one `<name>-command.ts` file
 * exporting a `Command`, plus one line in COMMANDS.
 */
import { checkCommand } from './check-command';
import { doctorCommand } from './doctor-command';
import { evaluateCommand } from './evaluate-command';
import { exportCommand } from './export-command';
import { makeScenesCommand } from './make-scenes-command';
import { synthesizeCommand } from './synthesize-command';
import { trainCommand } from './train-command';
import type { CliIO, Command } from './command';
import { runCli } from './run';

/** Every command, in the order `spade help` lists them. */
export const COMMANDS: readonly Command[] = [
    checkCommand,
    trainCommand,
    makeScenesCommand,
    evaluateCommand,
    exportCommand,
    synthesizeCommand,
    doctorCommand,
];

// The reader went away (`spade doctor | head -1`): stop quietly, as Unix tools do, instead of
// an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        throw e;
    });
}

const io: CliIO = {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    cwd: process.cwd(),
};
void runCli(process.argv.slice(2), io, COMMANDS).then((code) => {
    process.exitCode = code;
});
