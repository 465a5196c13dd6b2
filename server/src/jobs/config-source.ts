/**
 * From a .spade file to what a job needs: its train blocks (for pick lists and code lenses)
 * and one block's resolved options, with config-relative paths made absolute. Shared by the
 * language server's job service and the CLI so both start identical jobs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunOptions } from '../engine/options';
import type { TrainBlockInfo } from '../protocol/worker';
import { resolveTrain } from '../language/resolver';
import { analyze } from '../language/service';
import { CheckpointStore } from './checkpoints';

/** A train block resolved for a job. */
export interface ResolvedRun {
    options: RunOptions;
    configText: string;
    configFile: string;
}

export type ResolveOutcome = { ok: true; run: ResolvedRun } | { ok: false; message: string };

function envFor(file: string) {
    return { resolvePath: (p: string) => path.resolve(path.dirname(file), p) };
}

/** The train blocks of a config text, with their run folders and latest checkpoint steps. */
export function listTrainBlocks(file: string, text: string): TrainBlockInfo[] {
    const analysis = analyze(text);
    if (!analysis) return [];
    const out: TrainBlockInfo[] = [];
    for (const [name, block] of analysis.model.symbols.get('train') ?? []) {
        const r = resolveTrain(analysis.model, name, envFor(file));
        const runDir = r.ok ? r.options.outDir : path.resolve(path.dirname(file), 'runs', name);
        const latest = new CheckpointStore(runDir, 1).latest();
        out.push({
            name,
            line: analysis.file.lines.positionAt(block.start).line,
            runDir,
            ...(latest ? { checkpointStep: latest.step } : {}),
        });
    }
    return out;
}

/**
 * Resolve one train block. Refuses a config with errors (the first is named with its line),
 * so a job never starts from options the checker rejects. `runName` moves the run folder to a
 * sibling with that name.
 */
export function resolveRun(
    file: string,
    text: string,
    block: string,
    runName?: string,
): ResolveOutcome {
    const analysis = analyze(text);
    if (!analysis) return { ok: false, message: `${file}: the analysis was cancelled; try again.` };
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
        const p = analysis.file.lines.positionAt(errors[0].span.start);
        return {
            ok: false,
            message:
                `${file}:${p.line + 1}:${p.character + 1}: ${errors[0].message} ` +
                `(${errors.length} error${errors.length === 1 ? '' : 's'} in the config; fix ${errors.length === 1 ? 'it' : 'them'} before training).`,
        };
    }
    const r = resolveTrain(analysis.model, block, envFor(file));
    if (!r.ok) return { ok: false, message: `${file}: ${r.message}` };
    const options = r.options;
    if (runName !== undefined) {
        if (!/^[\w.-]+$/.test(runName) || runName === '.' || runName === '..') {
            return {
                ok: false,
                message: `Run name '${runName}' is not a plain folder name; use letters, digits, '.', '-' or '_'.`,
            };
        }
        options.name = runName;
        options.outDir = path.join(path.dirname(options.outDir), runName);
    }
    return { ok: true, run: { options, configText: text, configFile: file } };
}

/** Read a file, or explain why not (path and reason). */
export function readConfig(
    file: string,
): { ok: true; text: string } | { ok: false; message: string } {
    try {
        return { ok: true, text: fs.readFileSync(file, 'utf8') };
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? String(e);
        return {
            ok: false,
            message: `${file}: cannot read it (${code}). Check the path and its permissions.`,
        };
    }
}
