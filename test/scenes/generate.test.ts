/** The scene set on disk: layout, determinism, and label maps that hold only scene classes. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { decodePng } from '../../server/src/data/png';
import { SCENE_CLASSES, parseClassFile } from '../../server/src/scenes/classes';
import { generateScenes, renderSetScene, SceneOptionError } from '../../server/src/scenes/generate';

function tmp(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'scenes-test-'));
}

/** Every file under a folder, relative path -> bytes. */
function snapshot(dir: string): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else out.set(path.relative(dir, p), fs.readFileSync(p));
        }
    };
    walk(dir);
    return out;
}

describe('scene generator', function () {
    this.timeout(60000);
    const dirs: string[] = [];
    const fresh = () => {
        const d = tmp();
        dirs.push(d);
        return d;
    };
    after(() => {
        for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    it('writes byte-identical files for the same seed, twice', async function () {
        const [a, b] = [fresh(), fresh()];
        await generateScenes({ outDir: a, count: 4, size: 64, seed: 42 });
        await generateScenes({ outDir: b, count: 4, size: 64, seed: 42 });
        const [sa, sb] = [snapshot(a), snapshot(b)];
        assert.equal(sa.size, 4 * 3 + 2);
        assert.deepEqual([...sa.keys()].sort(), [...sb.keys()].sort());
        for (const [name, bytes] of sa) assert.ok(bytes.equals(sb.get(name)!), `${name} differs`);
    });

    it('renders the same pixels for the same seed and different ones for another seed', function () {
        const a = renderSetScene(5, 0, 48, 48);
        const b = renderSetScene(5, 0, 48, 48);
        const c = renderSetScene(6, 0, 48, 48);
        assert.deepEqual([a.rgb, a.label, a.instance], [b.rgb, b.label, b.instance]);
        assert.notDeepEqual(a.rgb, c.rgb);
    });

    it('makes scene i independent of how many scenes the set has', async function () {
        const [small, large] = [fresh(), fresh()];
        await generateScenes({ outDir: small, count: 2, size: 48, seed: 3, format: 'png' });
        await generateScenes({ outDir: large, count: 3, size: 48, seed: 3, format: 'png' });
        for (const f of ['image/scene_00001.png', 'label/scene_00001.png']) {
            assert.ok(
                fs.readFileSync(path.join(small, f)).equals(fs.readFileSync(path.join(large, f))),
                f,
            );
        }
    });

    it('writes matching stems and sizes in image/, label/ and instance/ with a class file', async function () {
        const out = fresh();
        const r = await generateScenes({
            outDir: out,
            count: 3,
            size: { width: 80, height: 56 },
            seed: 9,
        });
        assert.deepEqual(r.stems, ['scene_00000', 'scene_00001', 'scene_00002']);
        for (const stem of r.stems) {
            const img = await sharp(path.join(out, 'image', `${stem}.jpg`)).metadata();
            assert.deepEqual(
                [img.format, img.width, img.height, img.channels],
                ['jpeg', 80, 56, 3],
            );
            for (const d of ['label', 'instance']) {
                const png = decodePng(fs.readFileSync(path.join(out, d, `${stem}.png`)));
                assert.deepEqual(
                    [png.width, png.height, png.channels, png.bitDepth, png.colorType],
                    [80, 56, 1, 8, 0],
                    `${d}/${stem}`,
                );
            }
        }
        const classes = parseClassFile(fs.readFileSync(r.classFile, 'utf8'), r.classFile);
        assert.deepEqual(
            classes.names,
            SCENE_CLASSES.map((c) => c.name),
        );
        const manifest = JSON.parse(fs.readFileSync(path.join(out, 'scenes.json'), 'utf8'));
        assert.deepEqual(
            [manifest.seed, manifest.count, manifest.width, manifest.height],
            [9, 3, 80, 56],
        );
    });

    it('writes label maps that use only the scene classes, with instances inside one class each', async function () {
        const out = fresh();
        const r = await generateScenes({
            outDir: out,
            count: 12,
            size: 64,
            seed: 2024,
            format: 'png',
        });
        const seen = new Set<number>();
        for (const stem of r.stems) {
            const label = decodePng(
                fs.readFileSync(path.join(out, 'label', `${stem}.png`)),
            ).samples;
            const inst = decodePng(
                fs.readFileSync(path.join(out, 'instance', `${stem}.png`)),
            ).samples;
            const owner = new Map<number, number>();
            for (let p = 0; p < label.length; p++) {
                assert.ok(label[p] < SCENE_CLASSES.length, `${stem}: id ${label[p]} at pixel ${p}`);
                seen.add(label[p]);
                const o = owner.get(inst[p]);
                if (o === undefined) owner.set(inst[p], label[p]);
                else assert.equal(o, label[p], `${stem}: instance ${inst[p]} spans classes`);
            }
        }
        const again = renderSetScene(2024, 3, 64, 64);
        const written = decodePng(fs.readFileSync(path.join(out, 'label', `${r.stems[3]}.png`)));
        assert.deepEqual(
            Uint8Array.from(written.samples),
            again.label,
            'the label PNG holds the ids exactly',
        );
        assert.ok(seen.size >= 7, `only classes ${[...seen].join(',')} appear in 12 scenes`);
        assert.ok(Math.abs(r.classShares.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    });

    it('writes the samples layout: images/, masks/, instances/', async function () {
        const out = fresh();
        await generateScenes({ outDir: out, count: 1, size: 32, seed: 1, layout: 'samples' });
        for (const d of ['images', 'masks', 'instances'])
            assert.equal(fs.readdirSync(path.join(out, d)).length, 1, d);
    });

    it('stops between scenes when cancelled, keeping what it wrote', async function () {
        const out = fresh();
        const ctl = new AbortController();
        const r = await generateScenes({
            outDir: out,
            count: 50,
            size: 32,
            signal: ctl.signal,
            onProgress: (done) => {
                if (done === 2) ctl.abort();
            },
        });
        assert.ok(r.cancelled);
        assert.ok(r.stems.length < 50 && r.stems.length >= 2, `${r.stems.length} stems`);
        assert.equal(fs.readdirSync(path.join(out, 'label')).length, r.stems.length);
    });

    it('rejects bad options naming the option and the allowed range', async function () {
        const cases: [object, string, RegExp][] = [
            [{ count: 0 }, 'count', /1 to 100000/],
            [{ count: 1, size: 8 }, 'size', /16 to 4096/],
            [{ count: 1, seed: -1 }, 'seed', /0 to 4294967295/],
            [{ count: 1, seed: 1.5 }, 'seed', /whole number/],
        ];
        for (const [o, option, msg] of cases) {
            await assert.rejects(
                generateScenes({ outDir: fresh(), ...o } as never),
                (e: unknown) => {
                    assert.ok(e instanceof SceneOptionError);
                    assert.equal(e.option, option);
                    assert.match(e.message, msg);
                    return true;
                },
            );
        }
    });
});
