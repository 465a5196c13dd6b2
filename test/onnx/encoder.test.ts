/**
 * The exported style encoder run by onnxruntime-node: against the PyTorch golden vectors
 * (encoder_vae), against the engine's tfjs ConvEncoder for each plain norm, and through
 * `EncoderSession` from RGB bytes. Tolerance: the refdata README's atol 1e-4.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { ConvEncoder } from '../../server/src/engine/nets/encoder';
import { exportEncoder } from '../../server/src/engine/onnx/encoder-export';
import type { ExportEncoderOptions } from '../../server/src/engine/onnx/encoder-export';
import { EncoderSession, styleZ } from '../../server/src/engine/onnx/encoder-session';
import { randomEncoderState, Rng } from '../../server/src/engine/onnx/random-state';
import { seededZ } from '../../server/src/engine/onnx/session';
import { foldSpectralState } from '../../server/src/engine/onnx/spectral';
import type { PlainNorm } from '../../server/src/engine/options';
import { stateFromSafe } from '../../server/src/engine/safetensors';
import { exportState, loadState } from '../../server/src/engine/state-io';
import { testBackend, testInit } from '../engine/helpers';
import { golden, maxAbsDiff, ortTensor, tensor } from './helpers';

const ATOL = 1e-4;

/** Runs encoder bytes once on CPU; returns mu and logvar. */
async function encode(
    bytes: Uint8Array,
    image: ort.Tensor,
): Promise<{ mu: Float32Array; logvar: Float32Array }> {
    const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
    try {
        const out = await s.run({ image });
        return { mu: out.mu.data as Float32Array, logvar: out.logvar.data as Float32Array };
    } finally {
        await s.release();
    }
}

describe('onnx: style encoder export', function () {
    this.timeout(120000);
    before(testBackend);

    const GOLDEN: ExportEncoderOptions = { norm: 'instance', ngf: 4, cropSize: 256, zDim: 256 };

    it('encoder_vae: mu and logvar equal the PyTorch reference', async function () {
        const f = golden(this, 'encoder_vae');
        const { bytes, info } = exportEncoder(stateFromSafe(f, 'state/'), GOLDEN);
        assert.equal(info.layers, 6);
        // The golden input is 64x64: the graph's own resize to 256 is part of the check.
        const { mu, logvar } = await encode(bytes, ortTensor(f, 'input/image'));
        const dm = maxAbsDiff(mu, tensor(f, 'output/mu').data);
        const dl = maxAbsDiff(logvar, tensor(f, 'output/logvar').data);
        assert.ok(dm <= ATOL, `mu: max |diff| ${dm} > ${ATOL}`);
        assert.ok(dl <= ATOL, `logvar: max |diff| ${dl} > ${ATOL}`);
    });

    it('encoder_vae: a changed image leaves the tolerance (so the check can fail)', async function () {
        const f = golden(this, 'encoder_vae');
        const { bytes } = exportEncoder(stateFromSafe(f, 'state/'), GOLDEN);
        const img = tensor(f, 'input/image');
        const flipped = Float32Array.from(img.data, (v) => -v);
        const { mu } = await encode(bytes, new ort.Tensor('float32', flipped, img.shape));
        assert.ok(maxAbsDiff(mu, tensor(f, 'output/mu').data) > ATOL);
    });

    const norms: [PlainNorm, boolean][] = [
        ['instance', true],
        ['batch', true],
        ['none', false],
    ];
    for (const [norm, spectral] of norms) {
        it(`equals the tfjs ConvEncoder (${norm} norm${spectral ? ', spectral' : ''})`, async function () {
            const o: ExportEncoderOptions = { norm, ngf: 4, cropSize: 256, zDim: 16 };
            const e = new ConvEncoder({ norm, spectral }, o.ngf, o.cropSize, testInit(3), o.zDim);
            try {
                loadState(e.store, randomEncoderState(o, 21));
                // Not square and not 256: both resizes (up in H, down in W) are exercised.
                const [h, w] = [200, 300];
                const pixels = new Rng(8).normals(3 * h * w, 0.5).map((v) => Math.tanh(v));
                const want = tf.tidy(() => {
                    const nhwc = tf.transpose<tf.Tensor4D>(
                        tf.tensor4d(pixels, [1, 3, h, w]),
                        [0, 2, 3, 1],
                    );
                    const r = e.forward(nhwc);
                    return [r.mu, r.logvar].map((t) => Float32Array.from(t.dataSync()));
                });
                const spread = Math.max(...want[0]) - Math.min(...want[0]);
                assert.ok(spread > 0.2, `mu is nearly flat (spread ${spread})`);
                const image = new ort.Tensor('float32', pixels, [1, 3, h, w]);
                for (const state of [
                    exportState(e.store, { fold: true }),
                    foldSpectralState(exportState(e.store)),
                ]) {
                    const got = await encode(exportEncoder(state, o).bytes, image);
                    const dm = maxAbsDiff(got.mu, want[0]);
                    const dl = maxAbsDiff(got.logvar, want[1]);
                    assert.ok(dm <= ATOL && dl <= ATOL, `max |diff| mu ${dm}, logvar ${dl}`);
                }
            } finally {
                e.store.dispose();
            }
        });
    }

    it('refuses a crop below 256 and unfolded spectral norm, saying why', () => {
        const o: ExportEncoderOptions = { norm: 'instance', ngf: 4, cropSize: 128, zDim: 8 };
        assert.throws(
            () => exportEncoder(randomEncoderState(o), o),
            /needs crop size 256 or more \(crop 128 gives 8x8 features/,
        );
        const big = { ...o, cropSize: 256 };
        const state = randomEncoderState(big);
        state.set('layer1.0.weight_orig', state.get('layer1.0.weight')!);
        assert.throws(() => exportEncoder(state, big), /fold them with foldSpectralState/);
        const short = randomEncoderState(big);
        short.delete('fc_var.bias');
        assert.throws(() => exportEncoder(short, big), /'fc_var\.bias' is missing/);
    });

    it('EncoderSession encodes RGB bytes as [-1, 1] NCHW; styleZ reparameterizes with the seed', async () => {
        const o: ExportEncoderOptions = { norm: 'instance', ngf: 4, cropSize: 256, zDim: 8 };
        const { bytes } = exportEncoder(randomEncoderState(o, 4), o);
        const [w, h] = [40, 30];
        const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37 + (i >> 5)) % 256);
        const nchw = new Float32Array(w * h * 3);
        for (let c = 0; c < 3; c++)
            for (let p = 0; p < w * h; p++) nchw[c * w * h + p] = (rgb[p * 3 + c] / 255) * 2 - 1;
        const want = await encode(bytes, new ort.Tensor('float32', nchw, [1, 3, h, w]));
        const s = await EncoderSession.load(bytes, 'test encoder', { threads: 1 });
        try {
            const code = await s.encode({ rgb, width: w, height: h });
            assert.ok(maxAbsDiff(code.mu, want.mu) <= 1e-6);
            assert.ok(maxAbsDiff(code.logvar, want.logvar) <= 1e-6);
            const eps = seededZ(3, 1, 8);
            const z = styleZ(code, 3);
            for (let i = 0; i < 8; i++) {
                const expected = code.mu[i] + eps[i] * Math.exp(code.logvar[i] / 2);
                assert.ok(Math.abs(z[i] - expected) <= 1e-6);
            }
            assert.notDeepEqual([...styleZ(code, 4)], [...z], 'another seed, another z');
        } finally {
            await s.release();
        }
    });
});
