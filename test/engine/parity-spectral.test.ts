/**
 * Spectral norm from its checkpoint form (weight_orig, weight_u, weight_v): the eval weight
 * and output, and one train-mode power iteration, against the reference's `spectral_norm` case.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Conv2d, Store } from '../../server/src/engine/layers/core';
import { stateFromSafe } from '../../server/src/engine/safetensors';
import { exportState, loadState } from '../../server/src/engine/state-io';
import { expectClose, goldenCase, storedNHWC, testBackend, testInit } from './helpers';

describe('engine parity: spectral norm', function () {
    before(testBackend);

    for (const mode of ['eval', 'train'] as const) {
        it(`spectral_norm (${mode})`, function () {
            const f = goldenCase(this, 'spectral_norm');
            const store = new Store(testInit());
            const conv = new Conv2d(store, 'c', 4, 8, 3, { spectral: true });
            const state = new Map([...stateFromSafe(f, 'state/')].map(([k, v]) => [`c.${k}`, v]));
            loadState(store, state);
            store.training = mode === 'train';
            const y = conv.forward(storedNHWC(f, 'input/x'));
            expectClose(y, f, `output/${mode}/y`);
            // After the forward, the folded weight uses the (possibly updated) u, v.
            store.training = false;
            // expectClose reads rank-4 results as NHWC; the layer's HWIO weight as [O, H, W, I].
            expectClose(
                tf.transpose(conv.effectiveWeight(), [3, 0, 1, 2]),
                f,
                `output/${mode}/weight`,
            );
            if (mode === 'train') {
                // In PyTorch's layout (the layer keeps v in its HWIO row order).
                const st = exportState(store);
                const as = (k: string) => tf.tensor(st.get(k)!.data, st.get(k)!.shape);
                expectClose(as('c.weight_u'), f, 'output/train/weight_u');
                expectClose(as('c.weight_v'), f, 'output/train/weight_v');
            }
            store.dispose();
        });
    }

    it('folded weights load with sigma 1 and export again unchanged', function () {
        const f = goldenCase(this, 'spectral_norm');
        const store = new Store(testInit());
        const conv = new Conv2d(store, 'c', 4, 8, 3, { spectral: true });
        loadState(store, new Map([...stateFromSafe(f, 'state/')].map(([k, v]) => [`c.${k}`, v])));
        const folded = exportState(store, { fold: true });
        assert.deepEqual([...folded.keys()].sort(), ['c.bias', 'c.weight']);
        const other = new Store(testInit(2));
        const conv2 = new Conv2d(other, 'c', 4, 8, 3, { spectral: true });
        loadState(other, folded);
        const x = storedNHWC(f, 'input/x');
        const d = tf.max(tf.abs(tf.sub(conv.forward(x), conv2.forward(x)))).dataSync()[0];
        assert.ok(d < 1e-5, `folded reload differs by ${d}`);
        store.dispose();
        other.dispose();
    });
});
