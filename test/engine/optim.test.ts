/**
 * Adam's update against PyTorch's formula (torch.optim.Adam, no weight decay, no amsgrad),
 * computed here in float64 for three steps, with and without beta1 = 0 (TTUR).
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../server/src/engine/init';
import { Adam } from '../../server/src/engine/optim';
import { testBackend } from './helpers';

describe('engine: Adam', function () {
    before(testBackend);

    for (const [beta1, beta2] of [
        [0, 0.9],
        [0.5, 0.999],
    ]) {
        it(`follows PyTorch's update (betas ${beta1}, ${beta2})`, function () {
            const rng = new Rng(21);
            const n = 50;
            const p0 = rng.fillNormal(n, 0, 1);
            const w = tf.variable(tf.tensor1d(p0));
            const opt = new Adam(new Map([['w', w]]), 0.01, beta1, beta2);
            const p = Float64Array.from(p0);
            const m = new Float64Array(n);
            const v = new Float64Array(n);
            for (let t = 1; t <= 3; t++) {
                const g = rng.fillNormal(n, 0, 1);
                const gt = tf.tensor1d(g);
                opt.apply({ [w.name]: gt });
                gt.dispose();
                const bc1 = 1 - beta1 ** t;
                const bc2 = 1 - beta2 ** t;
                for (let i = 0; i < n; i++) {
                    m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                    v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                    p[i] -= (0.01 / bc1) * (m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + 1e-8));
                }
            }
            const got = w.dataSync();
            for (let i = 0; i < n; i++)
                assert.ok(Math.abs(got[i] - p[i]) < 1e-5, `${i}: ${got[i]} vs ${p[i]}`);
            const st = opt.state();
            const avg = st.get('w.exp_avg')!.data;
            for (let i = 0; i < n; i++) assert.ok(Math.abs(avg[i] - m[i]) < 1e-5);
            opt.dispose();
            w.dispose();
        });
    }
});
