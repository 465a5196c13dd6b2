/**
 * Training step time through the job worker's trainer (engine + data pipeline), batch 1, on
 * the COCO-Stuff samples (184 input channels), beside the reference trainer's CPU figures in
 * perf-baseline.md section 3 (PyTorch, 2 threads, synthetic batches): config d (crop 64,
 * ngf 16) 1.96 s per step, config c (crop 128, ngf 16) 4.18 s.
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

const shared = path.resolve(__dirname, '..', '..', process.env.SPADE_SHARED ?? '../shared');
const root = path.join(shared, 'data', 'coco_stuff');
const configs = (process.argv[2] ?? 'tiny,d').split(',');
const steps = Number(process.argv[3] ?? 3);

function options(crop: number, ngf: number, tiny: boolean): RunOptions {
    return {
        name: 'bench',
        outDir: path.join(os.tmpdir(), 'spade-bench-train'),
        dataset: {
            mode: 'coco',
            root,
            labelNc: 182,
            containDontcare: true,
            useInstance: true,
            preprocess: 'resize_and_crop',
            loadSize: Math.round(crop * 1.12),
            cropSize: crop,
            aspectRatio: 1,
            flip: true,
            onBadSample: 'stop',
        },
        generator: {
            arch: 'spade',
            ngf,
            upsampling: 'normal',
            spectral: true,
            paramFreeNorm: 'syncbatch',
            spadeKernel: 3,
            spadeHidden: tiny ? 8 : 128,
            useVae: false,
            zDim: 256,
            initType: 'xavier',
            initVariance: 0.02,
        },
        discriminator: tiny
            ? { arch: 'multiscale', numD: 1, nLayers: 1, ndf: 4, spectral: true, norm: 'instance' }
            : {
                  arch: 'multiscale',
                  numD: 2,
                  nLayers: 4,
                  ndf: 64,
                  spectral: true,
                  norm: 'instance',
              },
        encoder: { spectral: true, norm: 'instance' },
        loss: { ganMode: 'hinge', lambdaFeat: 10, lambdaVgg: 0, lambdaKld: 0.05 },
        optim: {
            lr: 0.0002,
            beta1: 0,
            beta2: 0.9,
            ttur: true,
            niter: 50,
            niterDecay: 0,
            dStepsPerG: 1,
        },
        batchSize: 1,
        device: 'cpu',
        seed: 1,
        saveEverySteps: 0,
        keepCheckpoints: 1,
        sampleEverySteps: 0,
        referenceResume: false,
        outputNc: 3,
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
            ? ` · reference (PyTorch, 2 threads) ${c.reference} s · ratio ${(median / c.reference).toFixed(1)}x`
            : '';
        console.log(
            `${name}: crop ${c.opts.dataset.cropSize}, ngf ${c.opts.generator.ngf}, backend ${t.backend}: median ${median.toFixed(2)} s per step [${times.map((x) => x.toFixed(2)).join(', ')}]${ref}`,
        );
    }
}

void main();
