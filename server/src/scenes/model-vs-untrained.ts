/**
 * Evidence that a trained model learned something: synthesize held-out masks with it and with
 * an untrained model of the same architecture (seeded random weights), and score both against
 * the real images with the per-class colour and texture statistics of evaluate.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliIO } from '../cli/command';
import { synthesizeCommand } from '../cli/synthesize-command';
import { exportGenerator } from '../engine/onnx/export';
import { randomGeneratorState } from '../engine/onnx/random-state';
import type { RunOptions } from '../engine/options';
import type { EvaluationReport } from './evaluate';
import { evaluateDirs } from './evaluate-io';

/** What to compare. */
export interface ModelVsUntrainedOptions {
    /** The trained model (.onnx). */
    model: string;
    /** The options the model was trained with (its architecture and label layout). */
    options: RunOptions;
    masks: string;
    images: string;
    /** Seed of the untrained weights. */
    seed?: number;
}

/** Both evaluations; lower scores are closer to the real images. */
export interface ModelVsUntrained {
    trained: EvaluationReport;
    untrained: EvaluationReport;
}

export async function compareWithUntrained(o: ModelVsUntrainedOptions): Promise<ModelVsUntrained> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-vs-untrained-'));
    try {
        const { generator, dataset } = o.options;
        const state = randomGeneratorState(generator, dataset, o.seed ?? 7);
        const untrainedFile = path.join(tmp, 'untrained.onnx');
        fs.writeFileSync(untrainedFile, exportGenerator(state, generator, dataset).bytes);
        const score = async (model: string, name: string): Promise<EvaluationReport> => {
            const out = path.join(tmp, name);
            const errors: string[] = [];
            const io: CliIO = { out: () => undefined, err: (l) => errors.push(l), cwd: tmp };
            const code = await synthesizeCommand.run(['--model', model, '--out', out, o.masks], io);
            if (code !== 0) throw new Error(`synthesis with ${model} failed: ${errors.join(' ')}`);
            const r = await evaluateDirs({ predDir: out, realDir: o.images, labelDir: o.masks });
            return r.report;
        };
        return {
            trained: await score(o.model, 'trained'),
            untrained: await score(untrainedFile, 'untrained'),
        };
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}
