import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { isOutOfMemory, outOfMemoryMessage } from '../../server/src/jobs/oom';
import {
    configPropertiesNamed,
    diffOptions,
    shapeChangeMessage,
} from '../../server/src/jobs/options-diff';
import { TOP_LEVEL_BLOCKS } from '../../server/src/language/registry';
import type { BlockSpec } from '../../server/src/language/registry-types';
import { encodePng } from '../../server/src/jobs/png';
import {
    RateMeter,
    formatDuration,
    progressBar,
    progressLine,
} from '../../server/src/jobs/progress';
import { learningRates, positionAt } from '../../server/src/jobs/schedule';
import { tinyOptions } from './fixtures/options';

describe('schedule, option changes, out-of-memory advice and progress text', () => {
    const opts = tinyOptions('/tmp/x', (o) => {
        o.optim.lr = 0.0002;
        o.optim.niter = 2;
        o.optim.niterDecay = 4;
    });

    it('keeps the rate for niter epochs, then decays it linearly to zero', () => {
        const g = [1, 2, 3, 4, 5, 6, 7].map((e) => learningRates(opts, e).G);
        const expected = [2, 2, 2, 1.5, 1, 0.5, 0].map((x) => x * 1e-4);
        g.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12, `epoch ${i + 1}: ${v}`));
    });

    it('applies TTUR (G half, D double) and the reference resume restart of the decay', () => {
        const ttur = tinyOptions('/tmp/x', (o) =>
            Object.assign(o.optim, { lr: 0.0002, ttur: true }),
        );
        assert.deepEqual(learningRates(ttur, 1), { G: 0.0001, D: 0.0004 });
        // Resumed at epoch 5: the reference starts again from the full rate.
        assert.equal(learningRates(opts, 5, 5).G, 0.0002);
        assert.ok(Math.abs(learningRates(opts, 6, 5).G - 0.00015) < 1e-12);
    });

    it('derives the epoch from the global step', () => {
        assert.deepEqual(positionAt(opts, 5, 0), {
            step: 0,
            epoch: 1,
            totalSteps: 30,
            totalEpochs: 6,
        });
        assert.equal(positionAt(opts, 5, 5).epoch, 2);
        assert.equal(positionAt(opts, 5, 29).epoch, 6);
    });

    it('separates shape-changing options from the rest and names both values', () => {
        const b = tinyOptions('/tmp/x', (o) => {
            o.dataset.labelNc = 182;
            o.dataset.useInstance = true;
            o.optim.lr = 1;
        });
        const d = diffOptions(opts, b);
        assert.deepEqual(
            d.filter((c) => c.shapes).map((c) => c.path),
            ['dataset.labelNc', 'dataset.useInstance'],
        );
        const msg = shapeChangeMessage('/runs/a/checkpoints/step-1', opts, b)!;
        assert.match(
            msg,
            /`classes` in the dataset block \(label_nc\) \[dataset\.labelNc\] was 3, now 182/,
        );
        assert.match(
            msg,
            /`instances` in the dataset block \(no_instance\) \[dataset\.useInstance\] was false, now true/,
        );
        assert.match(msg, /Change them back to resume, or train into a new run folder/);
        assert.equal(
            shapeChangeMessage(
                'x',
                opts,
                tinyOptions('/tmp/y', (o) => (o.batchSize = 8)),
            ),
            undefined,
        );
    });

    it('treats the crop size as a shape option only with the style encoder', () => {
        const crop = (vae: boolean) => (o: typeof opts) => {
            o.dataset.cropSize = 128;
            o.generator.useVae = vae;
        };
        const base = (vae: boolean) => tinyOptions('/tmp/x', (o) => (o.generator.useVae = vae));
        assert.equal(
            shapeChangeMessage('x', base(false), tinyOptions('/tmp/x', crop(false))),
            undefined,
        );
        assert.match(
            shapeChangeMessage('x', base(true), tinyOptions('/tmp/x', crop(true)))!,
            /`crop` in the dataset's preprocess block \(crop_size\)/,
        );
    });

    it('recognises out-of-memory errors and suggests a batch, then a crop that fits', () => {
        assert.ok(isOutOfMemory(new Error('OOM when allocating tensor with shape [8,1024,16,16]')));
        assert.ok(isOutOfMemory(new RangeError('Array buffer allocation failed')));
        assert.ok(!isOutOfMemory(new Error('file not found')));
        // The wasm heap running out: Emscripten's abort, or an access past the memory.
        assert.ok(isOutOfMemory(new Error('Aborted(). Build with -sASSERTIONS for more info.')));
        assert.ok(isOutOfMemory(new RangeError('memory access out of bounds')));
        const big = tinyOptions('/tmp/x', (o) => ((o.batchSize = 8), (o.dataset.cropSize = 256)));
        assert.match(
            outOfMemoryMessage(big, 12),
            /at step 12 with batch 8 and crop 256.*Try batch = 4/,
        );
        const one = tinyOptions('/tmp/x', (o) => ((o.batchSize = 1), (o.dataset.cropSize = 256)));
        assert.match(outOfMemoryMessage(one, 0), /try crop = 160 \(a multiple of 32/);
    });

    it('encodes a PNG whose pixels inflate back to the input', () => {
        const rgb = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 10);
        const png = encodePng(3, 2, rgb);
        assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
        assert.equal(png.readUInt32BE(16), 3);
        assert.equal(png.readUInt32BE(20), 2);
        const idatLen = png.readUInt32BE(33);
        assert.equal(png.toString('ascii', 37, 41), 'IDAT');
        const raw = zlib.inflateSync(png.subarray(41, 41 + idatLen));
        assert.deepEqual([...raw.subarray(1, 10)], [...rgb.subarray(0, 9)]);
        assert.throws(() => encodePng(3, 3, rgb), /needs 27 bytes, got 18/);
    });

    it('measures the rate over a window and formats the progress line', () => {
        const m = new RateMeter(3);
        [0, 1, 2, 3, 4].forEach((s) => m.mark(s, s === 0 ? 0 : 10000 + s * 500));
        assert.equal(m.stepsPerSecond(), 2); // the slow first step fell out of the window
        assert.equal(formatDuration(3725), '1h02m');
        assert.equal(formatDuration(75), '1m15s');
        assert.equal(progressBar(50, 10), '[#####.....]');
        const line = progressLine({
            type: 'progress',
            step: 10,
            epoch: 2,
            totalSteps: 40,
            totalEpochs: 4,
            percent: 25,
            stepsPerSecond: 2,
            etaSeconds: 15,
            losses: { G_GAN: 1.23456, D_real: 0.5 },
        });
        assert.equal(
            line,
            'epoch 2/4 · step 10/40 · 25.0% · 2.00 step/s · ETA 15s · G_GAN 1.23 D_real 0.500',
        );
    });

    it('names every option by the config property a user writes (checked against the language)', () => {
        for (const name of configPropertiesNamed()) {
            const parts = name.split('.');
            let blocks: readonly BlockSpec[] = TOP_LEVEL_BLOCKS;
            let block: BlockSpec | undefined;
            for (const kind of parts.slice(0, -1)) {
                block = blocks.find((b) => b.kind === kind);
                assert.ok(block, `${name}: no block ${kind}`);
                blocks = block.blocks;
            }
            const last = parts[parts.length - 1];
            const known =
                block!.properties.some((p) => p.name === last) ||
                block!.blocks.some((b) => b.kind === last);
            assert.ok(known, `${name}: the ${parts.slice(0, -1).join('.')} block has no ${last}`);
        }
    });
});
