/**
 * Training step time through the job worker's trainer (engine + data pipeline), batch 1, on
 * the COCO-Stuff samples (184 input channels), beside the reference trainer's CPU figures in
 * perf-baseline.md section 3 (PyTorch, 2 threads, synthetic batches): config d (crop 64,
 * ngf 16) 1.96 s per step, config c (crop 128, ngf 16) 4.18 s. Those were measured on another
 * CPU; for a same-run ratio use engine-train.ts --torch.
 *
 *   npx tsx scripts/bench/train-step.ts [config=tiny,d] [steps=3]
 *
 * Configs follow the baseline's trainer: 2-scale PatchGAN (ndf 64, 4 layers, spectral +
 * instance), hinge + feature matching (10), no VGG, no VAE, TTUR. "tiny" is the test size.
 * Prints the median of `steps` timed steps after one warm-up step. Set SPADE_SHARED to find
 * the samples elsewhere than ../shared.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { createTrainer } from '../../server/src/jobs/engine-trainer';
import { learningRates } from '../../server/src/jobs/schedule';
import type { RunOptions } from '../../server/src/engine/options';
import { benchOptions } from './engine-config';

const shared = path.resolve(__dirname, '..', '..', process.env.SPADE_SHARED ?? '../shared');
const root = path.join(shared, 'data', 'coco_stuff');
const configs = (process.argv[2] ?? 'tiny,d').split(',');
const steps = Number(process.argv[3] ?? 3);

/** The engine benchmark's configuration, on the COCO-Stuff samples instead of synthetic data. */
function options(crop: number, ngf: number, tiny: boolean): RunOptions {
    const o = benchOptions(crop, ngf, 1, false);
    return {
        ...o,
        outDir: path.join(os.tmpdir(), 'spade-bench-train'),
        dataset: {
            ...o.dataset,
            root,
            loadSize: Math.round(crop * 1.12),
            flip: true,
            onBadSample: 'stop',
        },
        generator: { ...o.generator, spadeHidden: tiny ? 8 : 128 },
        discriminator: tiny
            ? { arch: 'multiscale', numD: 1, nLayers: 1, ndf: 4, spectral: true, norm: 'instance' }
            : o.discriminator,
    };
}

const CONFIGS: Record<string, { opts: RunOptions; reference?: number }> = {
    tiny: { opts: options(32, 4, true) },
    d: { opts: options(64, 16, false), reference: 1.96 },
    c: { opts: options(128, 16, false), reference: 4.18 },
};

async function main(): Promise<void> {
    for (const name of configs) {
        const c = CONFIGS[name];
        if (!c) throw new Error(`unknown config '${name}' (tiny, d, c)`);
        const t = await createTrainer(c.opts, { log: () => undefined });
        const spe = t.stepsPerEpoch;
        const times: number[] = [];
        for (let s = 0; s <= steps; s++) {
            const epoch = Math.floor(s / spe) + 1;
            const t0 = performance.now();
            await t.step({ step: s, epoch, epochStep: s % spe, lrs: learningRates(c.opts, epoch) });
            if (s > 0) times.push((performance.now() - t0) / 1000);
        }
        t.dispose();
        times.sort((a, b) => a - b);
        const median = times[Math.floor(times.length / 2)];
        const ref = c.reference
            ? ` · perf-baseline's reference trainer (PyTorch, 2 threads, a Zen 1 CPU: not this ` +
              `run) ${c.reference} s · time ratio ${(median / c.reference).toFixed(1)}x`
            : '';
        console.log(
            `${name}: crop ${c.opts.dataset.cropSize}, ngf ${c.opts.generator.ngf}, backend ${t.backend}: median ${median.toFixed(2)} s per step [${times.map((x) => x.toFixed(2)).join(', ')}]${ref}`,
        );
    }
}

void main();
