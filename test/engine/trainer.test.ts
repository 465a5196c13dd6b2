/**
 * The training step API on the wasm backend: no tensor leaks over 50 steps (with awaited I/O
 * between the G and D updates), learning on a tiny overfit problem, exact checkpoint resume,
 * the learning-rate schedule and TTUR, and the VGG loss's errors.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { adamSettings, learningRateAt } from '../../server/src/engine/optim';
import {
    readSafetensors,
    safeFromState,
    stateFromSafe,
    writeSafetensors,
} from '../../server/src/engine/safetensors';
import { createTrainer, type TrainBatch } from '../../server/src/engine/trainer';
import { testBackend, tinyBatch, tinyRun } from './helpers';

/** The smallest useful nets: the step cost on wasm is per-kernel overhead at this size. */
function smallRun(lr = 0.0002) {
    const base = tinyRun();
    return tinyRun({
        optim: { ...base.optim, lr },
        generator: { ...base.generator, ngf: 2, spadeHidden: 8 },
        discriminator: { ...base.discriminator, nLayers: 3 },
    });
}

function l1(a: Float32Array, b: Float32Array): number {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
    return s / a.length;
}

describe('engine trainer', function () {
    this.timeout(180000);
    before(testBackend);

    it('keeps tf.memory().numTensors flat over 50 steps with awaited I/O between G and D', async function () {
        const opts = smallRun();
        const t = await createTrainer(opts, { keepBackend: true });
        const batch = tinyBatch(opts);
        const counts: number[] = [];
        for (let i = 0; i < 50; i++) {
            await t.generatorStep(batch);
            // The worker writes metrics or reads the next batch here.
            await fs.readFile(__filename);
            await new Promise((r) => setTimeout(r, 1));
            await t.discriminatorStep(batch);
            counts.push(tf.memory().numTensors);
        }
        const warm = counts[2];
        assert.deepEqual(
            counts.slice(2).filter((c) => c !== warm),
            [],
            `tensor counts after warm-up: ${counts.join(',')}`,
        );
        t.dispose();
    });

    it('lowers L1(fake, real) by at least 40% in 20 steps on two tiny images', async function () {
        // lr 10x the default so a few steps show; longer runs at this lr swing (it is a GAN).
        const opts = smallRun(0.002);
        const t = await createTrainer(opts, { keepBackend: true });
        const batch = tinyBatch(opts);
        const before = l1(t.synthesize(batch), batch.image);
        for (let i = 0; i < 20; i++) await t.trainStep(batch);
        const after = l1(t.synthesize(batch), batch.image);
        assert.ok(
            after < 0.6 * before,
            `L1 before ${before.toFixed(4)}, after ${after.toFixed(4)}`,
        );
        t.dispose();
    });

    it('resumes exactly from a checkpoint written to safetensors', async function () {
        const opts = smallRun();
        const batch: TrainBatch = tinyBatch(opts);
        const a = await createTrainer(opts, { keepBackend: true });
        for (let i = 0; i < 2; i++) await a.trainStep(batch);
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'spade-engine-'));
        const file = path.join(dir, 'ckpt.safetensors');
        writeSafetensors(file, safeFromState(a.flatState()));
        const b = await createTrainer({ ...opts, seed: 99 }, { keepBackend: true });
        b.loadFlatState(stateFromSafe(readSafetensors(file)));
        assert.equal(b.step, 2);
        const la = await a.trainStep(batch);
        const lb = await b.trainStep(batch);
        for (const k of Object.keys(la)) assert.equal(lb[k], la[k], `loss ${k} after resume`);
        const ga = a.state().G;
        const gb = b.state().G;
        for (const [k, v] of ga) assert.deepEqual(gb.get(k)!.data, v.data, `G ${k} after resume`);
        // Spectral-norm vectors and BatchNorm statistics are part of the checkpoint.
        assert.ok(
            ga.has('head_0.conv_0.weight_u') && ga.has('head_0.norm_0.param_free_norm.running_var'),
        );
        assert.ok(a.state().D.has('discriminator_0.model1.0.0.weight_v'));
        a.dispose();
        b.dispose();
        await fs.rm(dir, { recursive: true });
    });

    it('trains the VAE variant (encoder, KLD) one step without leaking', async function () {
        const base = tinyRun();
        const opts = tinyRun({
            generator: { ...base.generator, useVae: true, spadeHidden: 8, ngf: 2 },
            dataset: { ...base.dataset, cropSize: 256, loadSize: 256 },
            discriminator: { ...base.discriminator, numD: 1, nLayers: 2 },
        });
        const t = await createTrainer(opts, { keepBackend: true });
        const batch = tinyBatch(opts, 1);
        await t.trainStep(batch);
        const n = tf.memory().numTensors;
        const losses = await t.trainStep(batch);
        assert.equal(tf.memory().numTensors, n);
        for (const k of ['KLD', 'G_GAN', 'G_GAN_Feat', 'D_Fake', 'D_real'])
            assert.ok(Number.isFinite(losses[k]), k);
        assert.ok(t.state().E?.has('layer6.0.weight_orig'));
        t.dispose();
    });

    it('follows the reference learning-rate schedule and TTUR', function () {
        const o = { ...tinyRun().optim, lr: 0.0002, niter: 2, niterDecay: 4 };
        assert.deepEqual(
            [1, 2, 3, 4, 5, 6, 7].map((e) => +learningRateAt(o, e).toFixed(7)),
            [0.0002, 0.0002, 0.0002, 0.00015, 0.0001, 0.00005, 0],
        );
        assert.deepEqual(adamSettings({ ...o, ttur: true }), {
            lrG: 0.0001,
            lrD: 0.0004,
            beta1: 0,
            beta2: 0.9,
        });
        assert.deepEqual(adamSettings({ ...o, ttur: false, beta1: 0.5, beta2: 0.999 }), {
            lrG: 0.0002,
            lrD: 0.0002,
            beta1: 0.5,
            beta2: 0.999,
        });
    });

    it('refuses the VGG loss without a weights file, naming what to do', async function () {
        const base = tinyRun();
        await assert.rejects(
            createTrainer(
                { ...base, loss: { ...base.loss, lambdaVgg: 10 } },
                { keepBackend: true },
            ),
            /no VGG19 weights file is set/,
        );
        const missing = path.join(os.tmpdir(), 'no-such-vgg19.safetensors');
        await assert.rejects(
            createTrainer(
                { ...base, loss: { ...base.loss, lambdaVgg: 10, vggWeights: missing } },
                { keepBackend: true },
            ),
            (e: Error) => e.message.includes(missing) && e.message.includes('does not exist'),
        );
    });
});
