/**
 * Parity of the SPADE layer and the SPADE ResNet blocks with the reference's golden vectors.
 */
import * as assert from 'node:assert/strict';
import type * as tf from '@tensorflow/tfjs';
import { Store } from '../../server/src/engine/layers/core';
import { SegCache, Spade, SpadeResBlock } from '../../server/src/engine/layers/spade';
import { nearestIndex } from '../../server/src/engine/ops';
import { stateFromSafe } from '../../server/src/engine/safetensors';
import { loadState } from '../../server/src/engine/state-io';
import { expectClose, goldenCase, meta, storedNHWC, testBackend, testInit } from './helpers';

/** How SPADE reads the labels: per distinct pattern, per-tap lookups, or dense convs. */
const MODES = ['patterns', 'lookup', 'dense'] as const;
const MODE_NAME: Record<(typeof MODES)[number], string> = {
    patterns: ' (gamma/beta per label pattern)',
    lookup: ' (mlp_shared lookup, gamma/beta convs)',
    dense: ' (dense mlp_shared conv)',
};

describe('engine parity: SPADE layers', function () {
    before(testBackend);

    const cases: [string, 'instance' | 'batch' | 'syncbatch', boolean][] = [
        ['spade_norm_instance', 'instance', false],
        ['spade_norm_batch', 'batch', true],
        ['spade_norm_batch_eval', 'syncbatch', false],
    ];
    for (const [name, norm, train, mode] of cases.flatMap(([n, m, t]) =>
        MODES.map((mode) => [n, m, t, mode] as const),
    )) {
        it(`${name}${MODE_NAME[mode]}`, function () {
            const f = goldenCase(this, name);
            const store = new Store(testInit());
            const spade = new Spade(
                store,
                '',
                meta<number>(f, 'norm_nc'),
                meta<number>(f, 'label_nc'),
                {
                    paramFreeNorm: norm,
                    kernel: 3,
                    hidden: 128,
                },
            );
            // Names in the golden file have no module prefix; the layer was built with prefix ''.
            const state = new Map([...stateFromSafe(f, 'state/')].map(([k, v]) => [`.${k}`, v]));
            loadState(store, state);
            store.training = train;
            const x = storedNHWC(f, 'input/x');
            const seg = storedNHWC(f, 'input/segmap');
            const taps = new Map<string, tf.Tensor>();
            const classes = mode === 'dense' ? undefined : seg.shape[3];
            const cache = new SegCache(seg, classes, mode === 'patterns' ? 1 : 0);
            const out = spade.forward(x, cache, (k, t) => taps.set(k, t));
            expectClose(out, f, 'output/out');
            for (const k of ['normalized', 'gamma', 'beta'])
                expectClose(taps.get(k)!, f, `extra/${k}`);
            if (train) {
                expectClose(
                    store.buffers.get('.param_free_norm.running_mean')!,
                    f,
                    'output/running_mean_after',
                );
                expectClose(
                    store.buffers.get('.param_free_norm.running_var')!,
                    f,
                    'output/running_var_after',
                );
            }
            for (const axis of ['h', 'w'] as const) {
                const want = Array.from(
                    f.tensors.get(`extra/nearest_index_${axis}`)!.data as BigInt64Array,
                    Number,
                );
                const [i, o] =
                    axis === 'h' ? [seg.shape[1], x.shape[1]] : [seg.shape[2], x.shape[2]];
                assert.deepEqual(Array.from(nearestIndex(i, o)), want, `nearest index ${axis}`);
            }
            store.dispose();
        });
    }

    for (const [name, mode] of ['spade_resblk_learned_shortcut', 'spade_resblk_identity'].flatMap(
        (n) => MODES.map((m) => [n, m] as const),
    )) {
        it(`${name}${MODE_NAME[mode]}`, function () {
            const f = goldenCase(this, name);
            const store = new Store(testInit());
            const opt = meta<{ semantic_nc: number }>(f, 'opt');
            const block = new SpadeResBlock(
                store,
                'b',
                meta<number>(f, 'fin'),
                meta<number>(f, 'fout'),
                opt.semantic_nc,
                {
                    spectral: true,
                    spade: { paramFreeNorm: 'syncbatch', kernel: 3, hidden: 128 },
                },
            );
            const state = new Map([...stateFromSafe(f, 'state/')].map(([k, v]) => [`b.${k}`, v]));
            loadState(store, state);
            const taps = new Map<string, tf.Tensor>();
            // semantics = 5 labels + dontcare (one-hot) + the edge channel.
            const sem = storedNHWC(f, 'input/semantics');
            const out = block.forward(
                storedNHWC(f, 'input/x'),
                new SegCache(
                    sem,
                    mode === 'dense' ? undefined : opt.semantic_nc - 1,
                    mode === 'patterns' ? 1 : 0,
                ),
                (k, t) => taps.set(k, t),
            );
            expectClose(out, f, 'output/out');
            for (const k of taps.keys()) expectClose(taps.get(k)!, f, `extra/${k}`);
            assert.equal(taps.size, block.learnedShortcut ? 6 : 4);
            store.dispose();
        });
    }
});

describe('engine: nearest index rule', function () {
    it('picks the float32 index where exact arithmetic differs (26->22 at 11 is 12)', function () {
        assert.equal(nearestIndex(26, 22)[11], 12);
        assert.equal(nearestIndex(64, 2)[1], 32);
    });
});
