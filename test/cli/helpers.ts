/** Helpers of the CLI tests: captured IO and a tiny run folder with a real checkpoint. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliIO } from '../../server/src/cli/command';
import { randomGeneratorState } from '../../server/src/engine/onnx/random-state';
import type { StateDict } from '../../server/src/engine/onnx/types';
import type { RunOptions } from '../../server/src/engine/options';
import { CheckpointStore } from '../../server/src/jobs/checkpoints';
import { tinyOptions } from '../jobs/fixtures/options';

export const REPO = path.resolve(__dirname, '..', '..');
export const SCENES = path.join(REPO, 'samples', 'scenes');

/** IO that records lines. */
export function captureIO(cwd: string): CliIO & { out_: string[]; err_: string[] } {
    const out_: string[] = [];
    const err_: string[] = [];
    return { out: (l) => out_.push(l), err: (l) => err_.push(l), cwd, out_, err_ };
}

/** Options of a tiny generator on the sample scenes' classes (9, instance edges). */
export function sceneOptions(
    outDir: string,
    patch: (o: RunOptions) => void = () => {},
): RunOptions {
    return tinyOptions(outDir, (o) => {
        o.dataset.labelNc = 9;
        o.dataset.useInstance = true;
        o.dataset.classFile = path.join(SCENES, 'classes.json');
        o.generator.ngf = 4;
        o.generator.spadeHidden = 16;
        o.generator.zDim = 8;
        patch(o);
    });
}

/** Random generator weights for the options (folded form: plain `.weight`). */
export function randomState(o: RunOptions, seed = 3): StateDict {
    return randomGeneratorState(o.generator, o.dataset, seed);
}

/**
 * The same weights in checkpoint form for the block convs: `weight_orig` = scale * W with u, v
 * chosen so that u . (weight_orig v) = scale, so folding gives W back.
 */
export function spectralForm(state: StateDict, scale = 3): StateDict {
    const out: StateDict = new Map();
    for (const [name, t] of state) {
        if (!/\.conv_[01]\.weight$/.test(name)) {
            out.set(name, t);
            continue;
        }
        const base = name.slice(0, -'weight'.length);
        const rows = t.shape[0];
        const cols = t.data.length / rows;
        const v = new Float32Array(cols).fill(1 / Math.sqrt(cols));
        const wv = new Float64Array(rows);
        for (let r = 0; r < rows; r++)
            for (let c = 0; c < cols; c++) wv[r] += t.data[r * cols + c] * v[c];
        const n2 = wv.reduce((a, b) => a + b * b, 0);
        out.set(`${base}weight_orig`, {
            shape: t.shape,
            data: t.data.map((x) => x * scale),
        });
        out.set(`${base}weight_u`, { shape: [rows], data: Float32Array.from(wv, (x) => x / n2) });
        out.set(`${base}weight_v`, { shape: [cols], data: v });
    }
    return out;
}

/** Writes a run folder with options.json and one checkpoint at `step` holding `g` as G. */
export async function writeRun(
    runDir: string,
    options: RunOptions,
    g: StateDict,
    step = 12,
): Promise<string> {
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'options.json'), JSON.stringify(options));
    const store = new CheckpointStore(runDir, 2);
    store.prepare();
    const G = Object.fromEntries(g);
    const groups: Record<string, typeof G> = { G, D: {}, optimizer_G: {}, optimizer_D: {} };
    if (options.generator.useVae) groups.E = {};
    return store.save({ step, epoch: 1, seed: 1, trainer: {}, options }, { groups, json: {} });
}
