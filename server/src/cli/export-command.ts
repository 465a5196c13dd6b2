/**
 * `spade export RUN_OR_CHECKPOINT`: writes a run's generator as an ONNX file (spectral norm
 * folded, the model's label layout, classes and source checkpoint in the metadata), and for a
 * run with a style encoder the encoder as a second file beside it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../util/atomic';
import type { CliIO, Command } from './command';
import { encoderPathFor, exportRun, locateCheckpoint } from './model-source';

const USAGE = `usage: spade export RUN_OR_CHECKPOINT [--out FILE.onnx] [--mode onehot|plain]

Exports the generator of a run folder's latest checkpoint (or of the checkpoint folder named)
to ONNX, with spectral norm folded into the weights. The file's metadata holds the label
layout, the output size, the class names and colours, and the checkpoint it came from.
A run with a style encoder (use_vae) also gets FILE.encoder.onnx beside FILE.onnx: style
images go through it (\`spade synthesize --style\`, the preview's Style image…).

  RUN_OR_CHECKPOINT  a run folder written by \`spade train\`, or one of its
                     checkpoints/step-NNNNNNNN folders
  --out FILE.onnx    where to write (default: <run>/export/generator.onnx); replaced atomically
  --mode M           onehot (default): SPADE's first conv as exact table lookups, faster;
                     plain: ordinary convolutions, for tools that feed soft label maps

Exit code 0: written; 1: the export failed; 2: bad usage or no checkpoint to export.`;

function runExport(args: string[], io: CliIO): number {
    let values;
    let positionals: string[];
    try {
        ({ values, positionals } = parseArgs({
            args,
            strict: true,
            allowPositionals: true,
            options: {
                out: { type: 'string' },
                mode: { type: 'string' },
                help: { type: 'boolean', short: 'h' },
            },
        }));
        if (values.help) {
            io.out(USAGE);
            return 0;
        }
        if (positionals.length !== 1) {
            throw new Error(
                positionals.length === 0
                    ? 'name the run folder or checkpoint to export.'
                    : `one RUN_OR_CHECKPOINT only (got ${positionals.length}).`,
            );
        }
        if (values.mode !== undefined && values.mode !== 'onehot' && values.mode !== 'plain') {
            throw new Error(`--mode is '${values.mode}'; use onehot or plain.`);
        }
    } catch (e) {
        io.err(`spade export: ${(e as Error).message}`);
        io.err(USAGE);
        return 2;
    }
    const target = path.resolve(io.cwd, positionals[0]);
    const started = performance.now();
    let r;
    try {
        locateCheckpoint(target);
    } catch (e) {
        io.err(`spade export: ${(e as Error).message}.`);
        return 2;
    }
    try {
        r = exportRun(target, values.mode);
    } catch (e) {
        io.err(`spade export: ${(e as Error).message}.`);
        return 1;
    }
    const out =
        values.out === undefined
            ? path.join(r.runDir, 'export', 'generator.onnx')
            : path.resolve(io.cwd, values.out);
    const encoderOut = encoderPathFor(out);
    let writing = out;
    try {
        fs.mkdirSync(path.dirname(out), { recursive: true });
        // The encoder first, and an old one removed: a generator never sits beside an
        // encoder from another export.
        writing = encoderOut;
        if (r.encoder) writeFileAtomic(encoderOut, r.encoder.bytes);
        else fs.rmSync(encoderOut, { force: true });
        writing = out;
        writeFileAtomic(out, r.bytes);
    } catch (e) {
        const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        io.err(`spade export: ${writing}: cannot write (${why}); choose another --out.`);
        return 1;
    }
    const i = r.info;
    const classes = r.classes?.names !== undefined ? ` (${r.classes.names.join(', ')})` : '';
    io.out(`Exported ${r.options.name} at step ${r.step} (${r.checkpointDir})`);
    io.out(`  to ${out} (${(r.bytes.length / 1e6).toFixed(1)} MB, ${i.mode} mode)`);
    io.out(
        `  input semantics [N, ${i.semanticChannels}, ${i.height}, ${i.width}]: ` +
            `${i.labelNc} classes${classes}` +
            (i.containDontcare ? ' + dontcare' : '') +
            (i.useInstance ? ' + instance edges' : '') +
            (i.zDim > 0 ? `; input z [N, ${i.zDim}]` : '') +
            `; output image [N, ${i.outputChannels}, ${i.height}, ${i.width}]`,
    );
    if (r.encoderProblem) {
        io.err(`note: ${r.runDir} has ${r.encoderProblem}; style images will be refused.`);
    }
    if (r.encoder) {
        const z = r.encoder.info.zDim;
        io.out(
            `  style encoder ${encoderOut} (${(r.encoder.bytes.length / 1e6).toFixed(1)} MB): ` +
                `input image [N, 3, H, W] in [-1, 1]; outputs mu, logvar [N, ${z}]`,
        );
    }
    io.err(`Done in ${((performance.now() - started) / 1000).toFixed(2)} s.`);
    return 0;
}

/** The command as the CLI's command table lists it. */
export const exportCommand: Command = {
    name: 'export',
    summary: "export a run's generator (latest checkpoint) to an ONNX file",
    usage: USAGE,
    run: (args, io) => Promise.resolve(runExport(args, io)),
};
