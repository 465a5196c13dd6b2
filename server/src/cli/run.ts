/** The CLI's dispatcher: finds the command, prints help, turns failures into exit codes. */
import type { CliIO, Command } from './command';

/** Runs the CLI on arguments (without `node` and the script); resolves to the exit code. */
export async function runCli(
    argv: string[],
    io: CliIO,
    commands: readonly Command[],
): Promise<number> {
    const [name, ...rest] = argv;
    const help = (): void => {
        io.out('usage: spade <command> [arguments]\n\ncommands:');
        for (const c of commands) io.out(`  ${c.name.padEnd(12)} ${c.summary}`);
        io.out('\nspade help <command> shows its usage.');
    };
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
        const target = commands.find((c) => c.name === rest[0]);
        if (target) io.out(target.usage);
        else help();
        return 0;
    }
    const cmd = commands.find((c) => c.name === name);
    if (!cmd) {
        io.err(`spade: unknown command '${name}'. Run 'spade help' for the list.`);
        return 2;
    }
    try {
        return await cmd.run(rest, io);
    } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        io.err(
            `spade ${name}: unexpected failure: ${why}. Please report this with the command line.`,
        );
        return 70;
    }
}
