/**
 * Training-step benchmark of the tfjs engine at the PyTorch baseline's config (perf-baseline.md
 * §3): crop 64, ngf 16, 184 semantic channels, 2-scale PatchGAN (ndf 64, 4 layers), spectral
 * norm, hinge + feature matching, TTUR Adam, synthetic batches.
 *
 *   npx tsx scripts/bench/engine-train.ts [--backend wasm|cpu|auto] [--batch 1,4] [--steps 3]
 *                                        [--warmup 1] [--dense] [--crop 64] [--ngf 16]
 *
 * Prints one JSON line per configuration (median G-step, D-step and total seconds, images/s,
 * peak RSS) and the PyTorch figures measured on the project machine for comparison.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, useBackend, type BackendName } from '../../server/src/engine/backend';
import type { RunOptions } from '../../server/src/engine/options';
import { SpadeTrainer, type TrainBatch } from '../../server/src/engine/trainer';

/** perf-baseline.md §3: PyTorch 1.13, 2 threads, crop 64, ngf 16 (G-step + D-step seconds). */
const PYTORCH: Record<number, { step: number; g: number; d: number; rssMB: number }> = {
    1: { step: 1.96, g: 1.26, d: 0.69, rssMB: 841 },
    4: { step: 4.38, g: 2.92, d: 1.48, rssMB: 1130 },
};

function arg(name: string, dflt: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

function options(crop: number, ngf: number, batch: number, dense: boolean): RunOptions {
    return {
        name: 'bench',
        outDir: '/nonexistent',
        dataset: {
            mode: 'coco',
            root: '/nonexistent',
            labelNc: 182,
            containDontcare: true,
            useInstance: true,
            preprocess: 'resize_and_crop',
            loadSize: crop,
            cropSize: crop,
            aspectRatio: 1,
            flip: false,
            onBadSample: 'skip',
        },
        generator: {
            arch: 'spade',
            ngf,
            upsampling: 'normal',
            spectral: true,
            paramFreeNorm: 'syncbatch',
            spadeKernel: 3,
            spadeHidden: 128,
            useVae: false,
            zDim: 256,
            initType: 'xavier',
            initVariance: 0.02,
            oneHotLookup: !dense,
        },
        discriminator: {
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
        batchSize: batch,
        device: 'cpu',
        seed: 1,
        saveEverySteps: 0,
        keepCheckpoints: 1,
        sampleEverySteps: 0,
        referenceResume: false,
        outputNc: 3,
    };
}

/** Random blocky labels as one-hot + edge, and a random image. */
function syntheticBatch(size: number, crop: number): TrainBatch {
    const classes = 183;
    const channels = 184;
    const plane = crop * crop;
    const sem = new Float32Array(size * channels * plane);
    const img = new Float32Array(size * 3 * plane);
    let s = 12345;
    const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let n = 0; n < size; n++) {
        const ids = Array.from({ length: 16 }, () => Math.floor(rnd() * classes));
        for (let y = 0; y < crop; y++) {
            for (let x = 0; x < crop; x++) {
                const cell = Math.floor((y * 4) / crop) * 4 + Math.floor((x * 4) / crop);
                sem[(n * channels + ids[cell]) * plane + y * crop + x] = 1;
                const edge = x % (crop / 4) === 0 || y % (crop / 4) === 0;
                if (edge) sem[(n * channels + classes) * plane + y * crop + x] = 1;
            }
        }
    }
    for (let i = 0; i < img.length; i++) img[i] = rnd() * 2 - 1;
    return { size, height: crop, width: crop, channels, semantics: sem, image: img };
}

function median(xs: number[]): number {
    const a = [...xs].sort((p, q) => p - q);
    return a[Math.floor(a.length / 2)];
}

async function main(): Promise<void> {
    const backend = arg('backend', 'wasm');
    const report =
        backend === 'auto' ? await initBackend('auto') : await useBackend(backend as BackendName);
    const crop = Number(arg('crop', '64'));
    const ngf = Number(arg('ngf', '16'));
    const steps = Number(arg('steps', '3'));
    const warmup = Number(arg('warmup', '1'));
    const dense = process.argv.includes('--dense');
    for (const batch of arg('batch', '1,4').split(',').map(Number)) {
        const t = new SpadeTrainer(options(crop, ngf, batch, dense), report);
        const b = syntheticBatch(batch, crop);
        const g: number[] = [];
        const d: number[] = [];
        for (let i = 0; i < warmup + steps; i++) {
            const t0 = performance.now();
            await t.generatorStep(b);
            const t1 = performance.now();
            await t.discriminatorStep(b);
            const t2 = performance.now();
            if (i >= warmup) {
                g.push((t1 - t0) / 1000);
                d.push((t2 - t1) / 1000);
            }
        }
        const step = median(g.map((x, i) => x + d[i]));
        const ref = PYTORCH[batch];
        const row = {
            backend: report.active,
            crop,
            ngf,
            batch,
            mlpShared: dense ? 'dense conv' : 'one-hot lookup',
            stepS: +step.toFixed(3),
            gStepS: +median(g).toFixed(3),
            dStepS: +median(d).toFixed(3),
            imgPerS: +(batch / step).toFixed(3),
            peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
            tensors: tf.memory().numTensors,
            pytorchStepS: ref?.step,
            pytorchRssMB: ref?.rssMB,
            speedupVsPytorch:
                ref && crop === 64 && ngf === 16 ? +(ref.step / step).toFixed(2) : undefined,
        };
        console.log(JSON.stringify(row));
        t.dispose();
    }
}

main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
});
