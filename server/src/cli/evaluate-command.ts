/** `spade evaluate`: compares synthesized and real images per class (see docs/scenes.md). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { EvaluationReport } from '../scenes/evaluate';
import { evaluateDirs } from '../scenes/evaluate-io';
import { writeFileAtomic } from '../util/atomic';
import type { CliIO, Command } from './command';

const USAGE = `usage: spade evaluate --pred DIR --real DIR --labels DIR [--classes FILE] [--json FILE]

Compares synthesized images with real ones over the same label maps, class by class: mean and
spread of colour in CIE L*a*b*, and a texture statistic (mean L* gradient inside the class).
Files pair by name without extension. Lower distances are better; 0 is a perfect match.

  --pred DIR      synthesized images
  --real DIR      real images
  --labels DIR    label maps (8/16-bit grey or palette PNG, one class id per pixel)
  --classes FILE  class file (default: classes.json beside or above the label folder)
  --json FILE     also write the full report as JSON
`;

const f1 = (v: number) => v.toFixed(1);
/** Whole L*a*b* values; rounding towards zero first keeps "-0" out of the table. */
const lab = (v: readonly number[]) =>
    v.map((x) => (Math.round(x) === 0 ? 0 : x).toFixed(0).padStart(4)).join('');

/** The report as a fixed-width table. */
export function formatReport(report: EvaluationReport): string {
    const head = [
        'class',
        'share',
        'L a b real',
        'L a b synth',
        'dE',
        'dStd',
        'tex real',
        'tex syn',
        'dist',
    ];
    const rows = report.classes.map((c) => [
        c.name,
        `${(c.share * 100).toFixed(1)}%`,
        lab(c.real.mean),
        lab(c.pred.mean),
        f1(c.meanDelta),
        f1(c.stdDelta),
        c.real.texture === undefined ? '-' : f1(c.real.texture),
        c.pred.texture === undefined ? '-' : f1(c.pred.texture),
        f1(c.distance),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) =>
        r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
    return [
        line(head),
        ...rows.map(line),
        '',
        `score (pixel-weighted mean distance): ${report.score.toFixed(2)}`,
        `class-mean distance: ${report.classMeanScore.toFixed(2)}`,
        `images: ${report.images}` +
            (report.ignoredPixels > 0
                ? `, unlabelled pixels left out: ${report.ignoredPixels}`
                : ''),
        '',
    ].join('\n');
}

async function runEvaluate(args: string[], io: CliIO): Promise<number> {
    let values;
    try {
        values = parseArgs({
            args,
            strict: true,
            allowPositionals: false,
            options: {
                pred: { type: 'string' },
                real: { type: 'string' },
                labels: { type: 'string' },
                classes: { type: 'string' },
                json: { type: 'string' },
                help: { type: 'boolean', short: 'h' },
            },
        }).values;
        if (values.help) {
            io.out(USAGE.trimEnd());
            return 0;
        }
        for (const flag of ['pred', 'real', 'labels'] as const) {
            if (values[flag] === undefined) throw new Error(`--${flag} DIR is required.`);
        }
    } catch (e) {
        io.err(`spade evaluate: ${(e as Error).message}`);
        io.err(USAGE.trimEnd());
        return 2;
    }
    try {
        const result = await evaluateDirs({
            predDir: path.resolve(io.cwd, values.pred as string),
            realDir: path.resolve(io.cwd, values.real as string),
            labelDir: path.resolve(io.cwd, values.labels as string),
            classFile:
                values.classes === undefined ? undefined : path.resolve(io.cwd, values.classes),
        });
        for (const n of result.notes) io.err(`note: ${n}`);
        io.out(formatReport(result.report));
        if (values.json !== undefined) {
            const target = path.resolve(io.cwd, values.json);
            fs.mkdirSync(path.dirname(target), { recursive: true });
            const json = {
                ...result.report,
                names: result.names,
                classFile: result.classFile,
                notes: result.notes,
            };
            writeFileAtomic(target, JSON.stringify(json, null, 2) + '\n');
            io.out(`report written to ${target}`);
        }
        return 0;
    } catch (e) {
        io.err(`spade evaluate: ${(e as Error).message}`);
        return 1;
    }
}

/** The command as the CLI's command table lists it. */
export const evaluateCommand: Command = {
    name: 'evaluate',
    summary: 'compare synthesized and real images per class (colour and texture statistics)',
    usage: USAGE.trimEnd(),
    run: runEvaluate,
};
