/** Resolving train blocks to the engine's RunOptions, with the origin of each value. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeEffective, effective, modeFor, spec } from '../../server/src/language/model';
import { resolveTrain } from '../../server/src/language/resolver';
import { repoRoot } from '../support/shared';
import { analyzed } from './helpers';

const env = { resolvePath: (p: string) => path.posix.join('/cfg', p) };
const sample = (name: string) =>
    analyzed(fs.readFileSync(path.join(repoRoot, 'samples', name), 'utf8')).model;

describe('resolver', () => {
    it('resolves the COCO sample to the reference COCO options', () => {
        const r = resolveTrain(sample('coco-stuff-256.spade'), 'coco_256', env);
        assert.ok(r.ok);
        const o = r.options;
        assert.equal(o.dataset.mode, 'coco');
        assert.equal(o.dataset.root, '/cfg/datasets/coco_stuff');
        assert.deepEqual(
            [o.dataset.labelNc, o.dataset.containDontcare, o.dataset.useInstance],
            [182, true, true],
        );
        assert.deepEqual(
            [o.dataset.loadSize, o.dataset.cropSize, o.dataset.aspectRatio],
            [286, 256, 1],
        );
        assert.deepEqual(
            [o.optim.lr, o.optim.beta1, o.optim.beta2, o.optim.ttur],
            [0.0002, 0, 0.9, true],
        );
        assert.deepEqual([o.optim.niter, o.optim.niterDecay, o.batchSize], [50, 50, 8]);
        assert.equal(o.generator.arch, 'spade');
        assert.equal(o.outDir, '/cfg/runs/coco_256');
    });

    it('takes cityscapes mode defaults and says where they came from', () => {
        const text = 'dataset c { mode = cityscapes }\ntrain t { data = c }\n';
        const r = resolveTrain(analyzed(text).model, 't', env);
        assert.ok(r.ok);
        assert.equal(r.options.dataset.labelNc, 35);
        assert.equal(r.options.generator.upsampling, 'more');
        assert.equal(r.options.batchSize, 16);
        assert.deepEqual(r.origins.get('dataset.classes')?.origin, {
            kind: 'mode',
            mode: 'cityscapes',
        });
        assert.deepEqual(r.origins.get('generator.upsampling')?.origin, {
            kind: 'mode',
            mode: 'cityscapes',
        });
        assert.deepEqual(r.origins.get('generator.ngf')?.origin, { kind: 'default' });
        assert.equal(r.origins.get('dataset.mode')?.origin.kind, 'set');
    });

    it('uses written betas only with TTUR off', () => {
        const text =
            'dataset c { mode = facades }\ntrain t { data = c  optimizer { ttur = off  beta1 = 0.3 } }\n';
        const r = resolveTrain(analyzed(text).model, 't', env);
        assert.ok(r.ok);
        assert.deepEqual(
            [r.options.optim.beta1, r.options.optim.beta2, r.options.optim.ttur],
            [0.3, 0.999, false],
        );
    });

    it('turns layer lists into engine layers, with an upsample before each up block', () => {
        const r = resolveTrain(sample('custom-small.spade'), 'rooms_128', env);
        assert.ok(r.ok);
        const g = r.options.generator;
        assert.equal(g.arch, 'layers');
        assert.deepEqual(
            g.layers?.map((l) => l.kind).join(','),
            'spade_resblock,upsample,spade_resblock,upsample,spade_resblock,upsample,spade_resblock,upsample,spade_resblock,conv',
        );
        assert.deepEqual(r.options.discriminator.layers, [
            { channels: 32, stride: 2, norm: false },
            { channels: 64, stride: 2, norm: true },
            { channels: 128, stride: 1, norm: true },
        ]);
        assert.equal(r.options.dataset.labelDir, '/cfg/rooms/labels');
        assert.equal(r.options.device, 'cpu');
    });

    it('explains a missing train block or dataset instead of throwing', () => {
        const r = resolveTrain(analyzed('train t { data = nope }\n').model, 't', env);
        assert.ok(!r.ok && /names no existing dataset/.test(r.message));
        const r2 = resolveTrain(analyzed('').model, 'x', env);
        assert.ok(!r2.ok && /No train block named 'x'/.test(r2.message));
    });
});

describe('effective values for hover', () => {
    it('finds the mode that applies inside any block, through the train block that uses it', () => {
        const text =
            'dataset c { mode = cityscapes }\ngenerator g {}\ngenerator lone {}\ntrain t { data = c  generator = g }\n';
        const m = analyzed(text).model;
        const g = m.symbols.get('generator')!.get('g')!;
        assert.equal(modeFor(m, g), 'cityscapes');
        assert.equal(modeFor(m, m.symbols.get('generator')!.get('lone')!), undefined);
        assert.equal(modeFor(m, m.symbols.get('train')!.get('t')!), 'cityscapes');
        const e = effective(g, spec('generator'), 'upsampling', modeFor(m, g));
        assert.deepEqual(e, { value: 'more', origin: { kind: 'mode', mode: 'cityscapes' } });
        assert.equal(describeEffective(e), 'more (cityscapes)');
        const ds = m.symbols.get('dataset')!.get('c')!;
        assert.equal(
            describeEffective(effective(ds, spec('dataset'), 'classes', 'cityscapes')),
            '35 (cityscapes)',
        );
        assert.equal(
            describeEffective(effective(ds, spec('dataset'), 'mode')),
            'cityscapes (set here)',
        );
        assert.equal(describeEffective(effective(g, spec('generator'), 'style')), 'off (default)');
    });
});
