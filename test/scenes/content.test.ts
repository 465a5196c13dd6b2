/**
 * What the generated scenes look like, measured: every class turns up, each label region has
 * the colour its name promises, and regions are textured and lit rather than flat fills.
 * Each check is also run on a deliberately broken scene to show it can fail.
 */
import * as assert from 'node:assert/strict';
import { SCENE_CLASSES, SceneClass } from '../../server/src/scenes/classes';
import type { SceneClassName } from '../../server/src/scenes/classes';
import { StatsAccumulator } from '../../server/src/scenes/evaluate';
import { renderSetScene } from '../../server/src/scenes/generate';
import type { RenderedScene } from '../../server/src/scenes/render';

const SIZE = 96;
const COUNT = 40;
const scenes: RenderedScene[] = [];
function set(): RenderedScene[] {
    if (scenes.length === 0) {
        for (let i = 0; i < COUNT; i++) scenes.push(renderSetScene(7, i, SIZE, SIZE));
    }
    return scenes;
}

/** Class pairs whose looks differ enough that the label must tell them apart. */
const PAIRS: [SceneClassName, SceneClassName][] = [
    ['sky', 'grass'],
    ['grass', 'sky'],
    ['water', 'grass'],
    ['water', 'sand'],
    ['grass', 'sand'],
    ['grass', 'snow'],
    ['trees', 'sky'],
    ['trees', 'sand'],
    ['trees', 'snow'],
    ['sand', 'water'],
    ['sand', 'trees'],
    ['snow', 'grass'],
    ['snow', 'trees'],
];

function meanColors(s: { rgb: Uint8Array; label: ArrayLike<number> }): (number[] | undefined)[] {
    const acc = SCENE_CLASSES.map(() => [0, 0, 0, 0]);
    for (let p = 0; p < s.label.length; p++) {
        const a = acc[s.label[p]];
        a[0] += s.rgb[p * 3];
        a[1] += s.rgb[p * 3 + 1];
        a[2] += s.rgb[p * 3 + 2];
        a[3]++;
    }
    return acc.map((a) => (a[3] >= 30 ? [a[0] / a[3], a[1] / a[3], a[2] / a[3]] : undefined));
}

/** Pairs (A, B) where A's pixels look more like B's palette colour than like A's own. */
function agreementFailures(s: { rgb: Uint8Array; label: ArrayLike<number> }): string[] {
    const means = meanColors(s);
    const dist = (m: number[], c: readonly number[]) =>
        Math.hypot(m[0] - c[0], m[1] - c[1], m[2] - c[2]);
    const failures: string[] = [];
    for (const [a, b] of PAIRS) {
        const m = means[SceneClass[a]];
        if (m === undefined || means[SceneClass[b]] === undefined) continue;
        if (
            dist(m, SCENE_CLASSES[SceneClass[a]].color) >=
            dist(m, SCENE_CLASSES[SceneClass[b]].color)
        ) {
            failures.push(`${a} looks like ${b}`);
        }
    }
    return failures;
}

/** Classes whose interior L* gradient is below `min`: flat fills. */
function flatClasses(
    list: readonly { rgb: Uint8Array; label: ArrayLike<number>; width: number; height: number }[],
    min: number,
): string[] {
    const acc = new StatsAccumulator(SCENE_CLASSES.length);
    for (const s of list) acc.add(s, s.label);
    return acc
        .stats()
        .map((st, c) => ({ st, name: SCENE_CLASSES[c].name }))
        .filter(({ st, name }) => name !== 'sky' && st.texture !== undefined && st.texture < min)
        .map(({ name, st }) => `${name} ${st.texture?.toFixed(2)}`);
}

function flipVertically(s: RenderedScene): Uint8Array {
    const out = new Uint8Array(s.label.length);
    for (let y = 0; y < s.height; y++) {
        out.set(s.label.subarray(y * s.width, (y + 1) * s.width), (s.height - 1 - y) * s.width);
    }
    return out;
}

/** The scene with every class region filled with its mean colour. */
function flatten(s: RenderedScene): RenderedScene {
    const means = meanColors(s);
    const rgb = new Uint8Array(s.rgb.length);
    for (let p = 0; p < s.label.length; p++) {
        const m = means[s.label[p]] ?? [128, 128, 128];
        for (let k = 0; k < 3; k++) rgb[p * 3 + k] = Math.round(m[k]);
    }
    return { ...s, rgb };
}

describe('scene content', function () {
    this.timeout(60000);

    it('uses every class somewhere in a set of 40 scenes', function () {
        const seen = new Set<number>();
        for (const s of set()) for (const v of s.label) seen.add(v);
        const missing = SCENE_CLASSES.filter((_c, i) => !seen.has(i)).map((c) => c.name);
        assert.deepEqual(missing, []);
    });

    it('colours each labelled region like its class: sky pixels are closer to sky than to grass, and so on', function () {
        const failures = set().flatMap((s, i) =>
            agreementFailures(s).map((f) => `scene ${i}: ${f}`),
        );
        assert.deepEqual(failures, []);
    });

    it('the agreement check catches label maps that do not line up with their images', function () {
        const broken = set().filter(
            (s) => agreementFailures({ rgb: s.rgb, label: flipVertically(s) }).length > 0,
        );
        assert.ok(
            broken.length > COUNT * 0.8,
            `only ${broken.length} of ${COUNT} flipped scenes were caught`,
        );
    });

    it('makes the sky bluer than the grass and the grass greener than the sky', function () {
        const sum = { sky: [0, 0, 0], grass: [0, 0, 0] };
        for (const s of set()) {
            const m = meanColors(s);
            for (const k of ['sky', 'grass'] as const) {
                const c = m[SceneClass[k]];
                if (c) for (let i = 0; i < 3; i++) sum[k][i] += c[i];
            }
        }
        assert.ok(
            sum.sky[2] - sum.sky[1] > 0 && sum.sky[2] > sum.grass[2] * 2,
            `sky ${sum.sky}, grass ${sum.grass}`,
        );
        assert.ok(
            sum.grass[1] > sum.grass[2] * 1.5 && sum.grass[1] > sum.grass[0],
            `grass ${sum.grass}`,
        );
    });

    it('textures every ground and object class (interior L* gradient at least 1.5 per pixel)', function () {
        assert.deepEqual(flatClasses(set(), 1.5), []);
    });

    it('the texture check catches flat fills', function () {
        const flat = flatClasses(set().slice(0, 10).map(flatten), 1.5);
        assert.ok(flat.length >= 5, `only ${flat.join(', ')} were flagged`);
    });

    it('lights the sky: it is brighter near the horizon than at the top', function () {
        let brighter = 0;
        for (const s of set()) {
            const row = (y: number) => {
                let sum = 0;
                let n = 0;
                for (let x = 0; x < s.width; x++) {
                    const p = y * s.width + x;
                    if (s.label[p] !== SceneClass.sky) continue;
                    sum += s.rgb[p * 3] + s.rgb[p * 3 + 1];
                    n++;
                }
                return n > s.width / 4 ? sum / n : undefined;
            };
            const top = row(0);
            const low = row(Math.floor(s.plan.horizon * s.height * 0.5));
            if (top !== undefined && low !== undefined && low > top) brighter++;
        }
        assert.ok(
            brighter >= COUNT * 0.8,
            `${brighter} of ${COUNT} skies brighten towards the horizon`,
        );
    });

    it('gives each instance id one class and never leaves a pixel without an instance', function () {
        for (const [i, s] of set().entries()) {
            const owner = new Map<number, number>();
            for (let p = 0; p < s.label.length; p++) {
                const id = s.instance[p];
                assert.notEqual(id, 0, `scene ${i} pixel ${p} has no instance`);
                const c = owner.get(id);
                if (c === undefined) owner.set(id, s.label[p]);
                else assert.equal(c, s.label[p], `scene ${i}: instance ${id} spans two classes`);
            }
        }
    });

    it('separates instances of a class: some scene has two or more tree clumps', function () {
        const clumps = set().map((s) => {
            const ids = new Set<number>();
            for (let p = 0; p < s.label.length; p++)
                if (s.label[p] === SceneClass.trees) ids.add(s.instance[p]);
            return ids.size;
        });
        assert.ok(Math.max(...clumps) >= 2, `tree instances per scene: ${clumps.join(' ')}`);
    });
});
