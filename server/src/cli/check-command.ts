/**
 * `spade check`: checks configs like the editor does and prints one line per diagnostic,
 * `file:line:col: severity code: message` (1-based line and column; the column counts UTF-16
 * units, as editors do). Exits 1 when any error was found, 2 when a file cannot be read or a
 * folder holds no .spade file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../language/service';
import type { Command } from './command';

export const checkCommand: Command = {
    name: 'check',
    summary: 'check .spade configs and print their diagnostics',
    usage: [
        'usage: spade check [--errors-only] <file.spade | folder>...',
        '  Checks each file (folders: every .spade file inside) and prints',
        '  file:line:col: severity code: message. Exit code 0: no errors; 1: errors; 2: bad usage,',
        '  an unreadable file, or a folder with no .spade files.',
    ].join('\n'),
    async run(args, io) {
        const errorsOnly = args.includes('--errors-only');
        const unknownFlag = args.find((a) => a.startsWith('-') && a !== '--errors-only');
        const targets = args.filter((a) => !a.startsWith('-'));
        if (unknownFlag || targets.length === 0) {
            io.err(
                unknownFlag
                    ? `spade check: unknown option '${unknownFlag}'.`
                    : 'spade check: name at least one file or folder.',
            );
            io.err(this.usage);
            return 2;
        }
        let errors = 0;
        let warnings = 0;
        /** Unreadable files and folders without configs: exit 2. */
        let unusable = 0;
        const files: string[] = [];
        for (const t of targets) {
            const abs = path.resolve(io.cwd, t);
            try {
                if (fs.statSync(abs).isDirectory()) {
                    const found = findConfigs(abs);
                    if (found.length === 0) {
                        // Nothing checked is not "no errors": a wrong folder must not pass CI.
                        io.err(
                            `${t}: no .spade files found in this folder or below (node_modules ` +
                                'and dot folders are skipped). Name a .spade file or a folder ' +
                                'that holds one.',
                        );
                        unusable++;
                    }
                    files.push(...found.map((f) => path.join(t, path.relative(abs, f))));
                } else files.push(t);
            } catch (e) {
                io.err(`${t}: cannot read it (${errorCode(e)}). Check the path.`);
                unusable++;
            }
        }
        for (const f of files) {
            let text: string;
            try {
                text = await fs.promises.readFile(path.resolve(io.cwd, f), 'utf8');
            } catch (e) {
                io.err(
                    `${f}: cannot read it (${errorCode(e)}). Check the path and its permissions.`,
                );
                unusable++;
                continue;
            }
            const analysis = analyze(text);
            if (!analysis) continue;
            for (const d of analysis.diagnostics) {
                if (d.severity === 'error') errors++;
                else if (d.severity === 'warning') warnings++;
                if (errorsOnly && d.severity !== 'error') continue;
                const p = analysis.file.lines.positionAt(d.span.start);
                io.out(
                    `${f}:${p.line + 1}:${p.character + 1}: ${d.severity} ${d.code}: ${d.message}`,
                );
            }
        }
        const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
        if (files.length > 0)
            io.err(
                `${count(files.length, 'file')} checked: ${count(errors, 'error')}, ` +
                    `${count(warnings, 'warning')}.`,
            );
        return unusable > 0 ? 2 : errors > 0 ? 1 : 0;
    },
};

/** Every .spade file under a folder, sorted, skipping dependency and VCS folders. */
function findConfigs(dir: string): string[] {
    const out: string[] = [];
    const walk = (d: string): void => {
        for (const e of fs
            .readdirSync(d, { withFileTypes: true })
            .sort((a, b) => a.name.localeCompare(b.name))) {
            if (e.isDirectory()) {
                if (e.name !== 'node_modules' && !e.name.startsWith('.'))
                    walk(path.join(d, e.name));
            } else if (e.name.endsWith('.spade')) {
                out.push(path.join(d, e.name));
            }
        }
    };
    walk(dir);
    return out;
}

/** The errno code of a failed file operation, or its message. */
function errorCode(e: unknown): string {
    return (e as NodeJS.ErrnoException).code ?? String(e);
}
