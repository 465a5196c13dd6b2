/**
 * Parity of the generators (normal, more, VAE), the style encoder and the multiscale
 * discriminator with the reference's golden vectors, plus parameter counts.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../server/src/engine/init';
import { MultiscaleDiscriminator } from '../../server/src/engine/nets/discriminator';
import { ConvEncoder, reparameterize } from '../../server/src/engine/nets/encoder';
import { SpadeGenerator } from '../../server/src/engine/nets/generator';
import {
    discriminatorFromReference,
    encoderFromReference,
    generatorFromReference,
    type ReferenceOpt,
} from '../../server/src/engine/reference-opt';
import { stateFromSafe, type SafeFile } from '../../server/src/engine/safetensors';
import { loadState } from '../../server/src/engine/state-io';
import {
    expectClose,
    goldenCase,
    meta,
    stored,
    storedNHWC,
    testBackend,
    testInit,
} from './helpers';

/** The golden generator; `lookup` runs mlp_shared as the one-hot table lookup (183 classes). */
/** How SPADE reads the labels: per distinct pattern, per-tap lookups, or dense convs. */
type Mode = 'patterns' | 'lookup' | 'dense';

const MODE_NAME: Record<Mode, string> = {
    patterns: ' (gamma/beta per label pattern)',
    lookup: ' (mlp_shared lookup, gamma/beta convs)',
    dense: ' (dense mlp_shared convs)',
};

function buildGenerator(f: SafeFile, mode: Mode = 'lookup'): SpadeGenerator {
    const opt = meta<ReferenceOpt>(f, 'opt');
    const lookup = mode !== 'dense';
    return new SpadeGenerator(
        { ...generatorFromReference(opt), patternShare: mode === 'patterns' ? 1 : 0 },
        {
            semanticNc: opt.semantic_nc,
            cropSize: opt.crop_size,
            aspectRatio: opt.aspect_ratio,
            oneHotChannels: lookup ? opt.semantic_nc - 1 : undefined,
        },
        testInit(),
    );
}

/** Trainable scalars in a golden state: everything except BatchNorm statistics. */
function goldenParamCount(f: SafeFile): number {
    let n = 0;
    for (const [k, t] of f.tensors) {
        if (k.startsWith('state/') && !/running_(mean|var)$|num_batches_tracked$/.test(k))
            n += t.data.length;
    }
    return n;
}

describe('engine parity: networks', function () {
    this.timeout(120000);
    before(testBackend);

    const genCases: [string, Mode][] = [
        ['generator_small', 'patterns'],
        ['generator_small_more', 'patterns'],
        ['generator_vae', 'patterns'],
        ['generator_small', 'lookup'],
        ['generator_vae', 'lookup'],
        ['generator_small', 'dense'],
    ];
    for (const [name, mode] of genCases) {
        it(`${name}${MODE_NAME[mode]}`, function () {
            const f = goldenCase(this, name);
            const small = goldenCase(this, 'generator_small');
            const g = buildGenerator(f, mode);
            const state = stateFromSafe(small, 'state/');
            for (const [k, v] of stateFromSafe(f, 'state/')) state.set(k, v);
            if (name === 'generator_vae') {
                state.delete('fc.weight');
                state.delete('fc.bias');
                for (const [k, v] of stateFromSafe(f, 'state/')) state.set(k, v);
            }
            loadState(g.store, state);
            const taps = new Map<string, tf.Tensor>();
            tf.tidy(() => {
                const seg = storedNHWC(small, 'input/semantics');
                const z =
                    name === 'generator_vae' ? (stored(f, 'input/z') as tf.Tensor2D) : undefined;
                const img = g.forward(seg, z, (k, t) => taps.set(k, t));
                expectClose(img, f, 'output/image');
                let checked = 0;
                for (const k of f.tensors.keys()) {
                    if (!k.startsWith('extra/')) continue;
                    expectClose(taps.get(k.slice(6))!, f, k);
                    checked++;
                }
                assert.equal(checked, 9);
            });
            g.store.dispose();
        });
    }

    it('encoder_vae', function () {
        const f = goldenCase(this, 'encoder_vae');
        const opt = meta<ReferenceOpt>(f, 'opt');
        const e = new ConvEncoder(encoderFromReference(opt), opt.ngf, opt.crop_size, testInit());
        loadState(e.store, stateFromSafe(f, 'state/'));
        tf.tidy(() => {
            const { mu, logvar } = e.forward(storedNHWC(f, 'input/image'));
            expectClose(mu, f, 'output/mu');
            expectClose(logvar, f, 'output/logvar');
            expectClose(
                reparameterize(mu, logvar, stored(f, 'input/eps') as tf.Tensor2D),
                f,
                'output/z',
            );
        });
        e.store.dispose();
    });

    it('discriminator_multiscale', function () {
        const f = goldenCase(this, 'discriminator_multiscale');
        const opt = meta<ReferenceOpt>(f, 'opt');
        const d = new MultiscaleDiscriminator(
            discriminatorFromReference(opt),
            opt.semantic_nc + 3,
            testInit(),
        );
        loadState(d.store, stateFromSafe(f, 'state/'));
        tf.tidy(() => {
            const feats = d.forward(storedNHWC(f, 'input/d_input'));
            assert.equal(feats.length, 2);
            feats.forEach((fs, i) => {
                assert.equal(fs.length, 5);
                fs.forEach((t, j) => expectClose(t, f, `output/D${i}.f${j}`));
            });
        });
        d.store.dispose();
    });

    it('parameter counts match every golden generator, encoder and discriminator', function () {
        for (const name of ['generator_small', 'generator_small_more', 'generator_vae']) {
            const f = goldenCase(this, name);
            const small = goldenCase(this, 'generator_small');
            const g = buildGenerator(f);
            // generator_vae stores only fc; its other weights are generator_small's.
            const want =
                name === 'generator_small'
                    ? goldenParamCount(f)
                    : goldenParamCount(small) +
                      (name === 'generator_vae' ? goldenParamCount(f) - 64 * 184 * 9 - 64 : 0);
            assert.equal(g.store.paramCount(), want, name);
            g.store.dispose();
        }
        const fe = goldenCase(this, 'encoder_vae');
        const oe = meta<ReferenceOpt>(fe, 'opt');
        const e = new ConvEncoder(encoderFromReference(oe), oe.ngf, oe.crop_size, {
            type: 'xavier',
            gain: 0.02,
            rng: new Rng(1),
        });
        assert.equal(e.store.paramCount(), goldenParamCount(fe), 'encoder_vae');
        e.store.dispose();
        const fd = goldenCase(this, 'discriminator_multiscale');
        const od = meta<ReferenceOpt>(fd, 'opt');
        const d = new MultiscaleDiscriminator(
            discriminatorFromReference(od),
            od.semantic_nc + 3,
            testInit(),
        );
        assert.equal(d.store.paramCount(), goldenParamCount(fd), 'discriminator_multiscale');
        d.store.dispose();
    });
});
