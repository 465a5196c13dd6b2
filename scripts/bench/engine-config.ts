/**
 * The training benchmark's configuration (perf-baseline.md §3: crop 64, ngf 16, 184 semantic
 * channels, 2-scale PatchGAN ndf 64, spectral norm, hinge + feature matching, TTUR) and its
 * synthetic batches, shared by engine-train.ts and engine-profile.ts.
 */
import type { RunOptions } from '../../server/src/engine/options';
import type { TrainBatch } from '../../server/src/engine/trainer';

export function benchOptions(crop: number, ngf: number, batch: number, dense: boolean): RunOptions {
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
export function syntheticBatch(size: number, crop: number): TrainBatch {
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
