/** The evaluation statistics: L*a*b*, per-class distances, folder pairing and the CLI command. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { SCENE_CLASSES } from '../../server/src/scenes/classes';
import { rgbToLab } from '../../server/src/scenes/color';
import type { LabelledImage } from '../../server/src/scenes/evaluate';
import { evaluatePairs } from '../../server/src/scenes/evaluate';
import { evaluateDirs } from '../../server/src/scenes/evaluate-io';
import { generateScenes, renderSetScene } from '../../server/src/scenes/generate';

const NAMES = SCENE_CLASSES.map((c) => c.name);

function scenes(n: number, size = 64): LabelledImage[] {
    return Array.from({ length: n }, (_v, i) => renderSetScene(11, i, size, size));
}

function withRgb(
    img: LabelledImage,
    f: (v: number, p: number, ch: number) => number,
): LabelledImage {
    const rgb = new Uint8Array(img.rgb.length);
    for (let i = 0; i < rgb.length; i++)
        rgb[i] = Math.max(0, Math.min(255, Math.round(f(img.rgb[i], Math.floor(i / 3), i % 3))));
    return { ...img, rgb };
}

/** A 3x3 box blur: same colours on average, less texture. */
function blur(img: LabelledImage): LabelledImage {
    const { width: w, height: h } = img;
    return withRgb(img, (_v, p, ch) => {
        const x = p % w;
        const y = Math.floor(p / w);
        let sum = 0;
        let n = 0;
        for (let dy = -1; dy <= 1; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
                const xx = x + dx;
                const yy = y + dy;
                if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                sum += img.rgb[(yy * w + xx) * 3 + ch];
                n++;
            }
        }
        return sum / n;
    });
}

describe('evaluation statistics', function () {
    this.timeout(60000);

    it('converts sRGB to L*a*b* (white, black, pure red)', function () {
        const lab = rgbToLab(new Uint8Array([255, 255, 255, 0, 0, 0, 255, 0, 0]));
        const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 0.05, `${a} vs ${b}`);
        [100, 0, 0, 0, 0, 0, 53.24, 80.09, 67.2].forEach((v, i) => close(lab[i], v));
    });

    it('gives distance 0 when the synthesized images are the real ones', function () {
        const real = scenes(4);
        const r = evaluatePairs(
            real.map((img) => ({ pred: img, real: img })),
            NAMES,
        );
        assert.equal(r.score, 0);
        assert.ok(r.classes.length >= 5);
        for (const c of r.classes) assert.equal(c.distance, 0, c.name);
    });

    it('scores a flat grey prediction worse than the real images and worse than a slightly noisy copy', function () {
        const real = scenes(4);
        const grey = evaluatePairs(
            real.map((img) => ({ pred: withRgb(img, () => 128), real: img })),
            NAMES,
        );
        const noisy = evaluatePairs(
            real.map((img) => ({
                pred: withRgb(img, (v, p) => v + ((p * 7919) % 5) - 2),
                real: img,
            })),
            NAMES,
        );
        assert.ok(noisy.score > 0, 'noise changes the statistics a little');
        assert.ok(grey.score > noisy.score * 5, `grey ${grey.score}, noisy ${noisy.score}`);
        for (const c of grey.classes) {
            assert.equal(c.pred.std.join(), '0,0,0', `${c.name}: flat grey has no spread`);
            if (c.pred.texture !== undefined) assert.equal(c.pred.texture, 0);
        }
    });

    it('grows the mean-colour distance with a colour shift', function () {
        const real = scenes(3);
        const shifted = (d: number) =>
            evaluatePairs(
                real.map((img) => ({
                    pred: withRgb(img, (v, _p, ch) => (ch === 2 ? v - d : v)),
                    real: img,
                })),
                NAMES,
            );
        const [small, large] = [shifted(10), shifted(40)];
        const sky = (r: typeof small) => r.classes.find((c) => c.name === 'sky')!;
        assert.ok(
            sky(large).meanDelta > sky(small).meanDelta * 2.5,
            `${sky(small).meanDelta} -> ${sky(large).meanDelta}`,
        );
        assert.ok(large.score > small.score);
    });

    it('sees a blurred prediction lose texture while its mean colours stay close', function () {
        const real = scenes(3);
        const r = evaluatePairs(
            real.map((img) => ({ pred: blur(img), real: img })),
            NAMES,
        );
        const grass = r.classes.find((c) => c.name === 'grass')!;
        assert.ok(
            grass.pred.texture! < grass.real.texture! * 0.7,
            `${grass.pred.texture} vs ${grass.real.texture}`,
        );
        assert.ok(grass.meanDelta < grass.textureDelta + grass.stdDelta);
    });

    it('leaves out label values that are not classes and refuses pairs of different sizes', function () {
        const [img] = scenes(1, 32);
        const label = Uint8Array.from(img.label, (v, i) => (i < 32 ? 255 : v));
        const r = evaluatePairs([{ pred: img, real: { ...img, label } }], NAMES);
        assert.equal(r.ignoredPixels, 32);
        const [big] = scenes(1, 40);
        assert.throws(
            () => evaluatePairs([{ pred: big, real: img }], NAMES),
            /synthesized 40x40, real 32x32; resize/,
        );
    });
});

describe('evaluation from folders', function () {
    this.timeout(60000);
    let root: string;
    before(async function () {
        root = fs.mkdtempSync(path.join(os.tmpdir(), 'scenes-eval-'));
        await generateScenes({ outDir: root, count: 3, size: 64, seed: 77, format: 'png' });
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it('pairs by stem, reads the class file beside the labels, and scores a copy 0', async function () {
        const r = await evaluateDirs({
            predDir: path.join(root, 'image'),
            realDir: path.join(root, 'image'),
            labelDir: path.join(root, 'label'),
        });
        assert.equal(r.classFile, path.join(root, 'label', '..', 'classes.json'));
        assert.deepEqual(r.names, NAMES);
        assert.equal(r.report.images, 3);
        assert.equal(r.report.score, 0);
    });

    it('brings the real images and labels to the size of smaller synthesized images', async function () {
        const pred = path.join(root, 'half');
        fs.mkdirSync(pred, { recursive: true });
        for (const f of fs.readdirSync(path.join(root, 'image'))) {
            await sharp(path.join(root, 'image', f))
                .resize(32, 32)
                .png()
                .toFile(path.join(pred, f.replace('.png', '.jpg.png')));
            await sharp(path.join(root, 'image', f))
                .resize(32, 32)
                .jpeg()
                .toFile(path.join(pred, f.replace('.png', '.jpg')));
        }
        const r = await evaluateDirs({
            predDir: pred,
            realDir: path.join(root, 'image'),
            labelDir: path.join(root, 'label'),
        });
        assert.equal(r.report.images, 3);
        assert.ok(
            r.notes.some((n) => /3 real image\(s\) and label map\(s\) were resized/.test(n)),
            r.notes.join('\n'),
        );
        assert.ok(r.report.score > 0 && r.report.score < 15, `score ${r.report.score}`);
    });

    it('notes label maps without images and fails clearly when nothing pairs', async function () {
        const some = path.join(root, 'some');
        fs.mkdirSync(some, { recursive: true });
        fs.copyFileSync(
            path.join(root, 'image', 'scene_00001.png'),
            path.join(some, 'scene_00001.png'),
        );
        const r = await evaluateDirs({
            predDir: some,
            realDir: path.join(root, 'image'),
            labelDir: path.join(root, 'label'),
        });
        assert.equal(r.report.images, 1);
        assert.ok(
            r.notes.some((n) => n.includes('2 label map(s)') && n.includes('scene_00000')),
            r.notes.join('\n'),
        );
        const empty = path.join(root, 'empty');
        fs.mkdirSync(empty, { recursive: true });
        await assert.rejects(
            evaluateDirs({
                predDir: empty,
                realDir: path.join(root, 'image'),
                labelDir: path.join(root, 'label'),
            }),
            /no label map in .* has an image of the same name in both/,
        );
    });

    it('names the file when a label map is not single-channel', async function () {
        const labels = path.join(root, 'rgb-labels');
        fs.mkdirSync(labels, { recursive: true });
        await sharp(path.join(root, 'image', 'scene_00000.png'))
            .png()
            .toFile(path.join(labels, 'scene_00000.png'));
        await assert.rejects(
            evaluateDirs({
                predDir: path.join(root, 'image'),
                realDir: path.join(root, 'image'),
                labelDir: labels,
                classFile: path.join(root, 'classes.json'),
            }),
            /rgb-labels\/scene_00000\.png: the label map has 3 channels/,
        );
    });
});
