/**
 * Writes a random-weights generator shaped like the embedded default model (64x64, ngf 8,
 * spade_hidden 32, instance norm, instance edges) for timing the preview before the trained
 * default exists. `--classes 182 --dontcare` (the default) fits the COCO-Stuff mask that
 * preview-stroke.ts paints on; `--classes 9 --no-dontcare` matches the default's own classes.
 *
 *   npx tsx scripts/bench/preview-random-model.ts --out /tmp/bench-model.onnx [--classes 182]
 *   SPADE_DEFAULT_MODEL=/tmp/bench-model.onnx npx tsx scripts/bench/preview-stroke.ts --backend lsp
 *
 * Weights are random, so the images are noise; only the timing means anything. With 'onehot'
 * export the first SPADE convolutions are table lookups, so the class count barely changes
 * the cost.
 */
import * as fs from 'node:fs';
import { exportGenerator } from '../../server/src/engine/onnx/export';
import { randomGeneratorState } from '../../server/src/engine/onnx/random-state';

function arg(name: string, fallback: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const out = arg('out', 'bench-model.onnx');
const classes = Number(arg('classes', '182'));
const dontcare = !process.argv.includes('--no-dontcare');
const gen = {
    arch: 'spade' as const,
    ngf: 8,
    upsampling: 'normal' as const,
    paramFreeNorm: 'instance' as const,
    spadeKernel: 3 as const,
    spadeHidden: 32,
    useVae: false,
};
const data = {
    labelNc: classes,
    containDontcare: dontcare,
    useInstance: true,
    cropSize: 64,
    aspectRatio: 1,
};
const model = exportGenerator(randomGeneratorState(gen, data, 1), gen, data);
fs.writeFileSync(out, model.bytes);
console.log(
    `${out}: random-weights generator, ${classes} classes${dontcare ? ' + dontcare' : ''}, ` +
        `${model.info.width}x${model.info.height}, ${(model.bytes.length / 1024).toFixed(0)} KiB`,
);
