/**
 * Writes a set of generated scenes in the custom-dataset layout: image, label map and instance
 * map per scene with matching file stems, plus `classes.json` and a `scenes.json` manifest.
 * Scene i depends only on (seed, i), so a larger set begins with the smaller one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { formatClassFile, sceneClassFile } from './classes';
import { childSeed } from './prng';
import type { SceneKind } from './plan';
import type { RenderedScene } from './render';
import { renderScene } from './render';
import { tempSibling } from '../util/atomic';

/** Folder names of the two layouts: a training set, or held-out samples beside a model. */
export const LAYOUTS = {
    dataset: { image: 'image', label: 'label', instance: 'instance' },
    samples: { image: 'images', label: 'masks', instance: 'instances' },
} as const;

export type SceneLayout = keyof typeof LAYOUTS;

/** What to generate. Only `outDir` and `count` are required. */
export interface GenerateScenesOptions {
    /** Folder to write into; created if missing. Existing files with the same names are replaced. */
    outDir: string;
    /** Number of scenes, 1..100000. */
    count: number;
    /** Square side in pixels, or width and height. Default 256. */
    size?: number | { width: number; height: number };
    /** Set seed, a non-negative integer below 2^32. Default 1. */
    seed?: number;
    /** Image format. JPEG (quality 92, no chroma subsampling) is about a fifth of PNG's size. */
    format?: 'jpeg' | 'png';
    /** Folder names; see LAYOUTS. Default 'dataset'. */
    layout?: SceneLayout;
    /** Called after each scene is written. */
    onProgress?: (done: number, total: number) => void;
    /** Stops between scenes; files already written stay. */
    signal?: AbortSignal;
}

/** What was written. */
export interface GenerateScenesResult {
    outDir: string;
    width: number;
    height: number;
    /** File stems, in order (scene_00000, ...). */
    stems: string[];
    /** Absolute path of the class file. */
    classFile: string;
    /** Scenes per kind of landscape. */
    kinds: Record<SceneKind, number>;
    /** Share of all pixels per class id. */
    classShares: number[];
    /** Whether the signal stopped the run early. */
    cancelled: boolean;
}

/** A problem with the options, said in the terms of the CLI flag it came from. */
export class SceneOptionError extends Error {
    constructor(
        readonly option: string,
        message: string,
    ) {
        super(message);
        this.name = 'SceneOptionError';
    }
}

const MIN_SIDE = 16;
const MAX_SIDE = 4096;

/** Checks options and fills defaults; throws SceneOptionError naming the option. */
export function resolveSceneOptions(o: GenerateScenesOptions): {
    width: number;
    height: number;
    seed: number;
    format: 'jpeg' | 'png';
    layout: SceneLayout;
} {
    if (!Number.isInteger(o.count) || o.count < 1 || o.count > 100000) {
        throw new SceneOptionError(
            'count',
            `count is ${o.count}; use a whole number from 1 to 100000.`,
        );
    }
    const size = o.size ?? 256;
    const [width, height] = typeof size === 'number' ? [size, size] : [size.width, size.height];
    for (const [name, v] of [
        ['width', width],
        ['height', height],
    ] as const) {
        if (!Number.isInteger(v) || v < MIN_SIDE || v > MAX_SIDE) {
            throw new SceneOptionError(
                'size',
                `${name} is ${v}; use a whole number of pixels from ${MIN_SIDE} to ${MAX_SIDE}.`,
            );
        }
    }
    const seed = o.seed ?? 1;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
        throw new SceneOptionError(
            'seed',
            `seed is ${seed}; use a whole number from 0 to 4294967295.`,
        );
    }
    const format = o.format ?? 'jpeg';
    if (format !== 'jpeg' && format !== 'png') {
        throw new SceneOptionError('format', `format is ${String(format)}; use jpeg or png.`);
    }
    const layout = o.layout ?? 'dataset';
    if (!(layout in LAYOUTS)) {
        throw new SceneOptionError(
            'layout',
            `layout is ${String(layout)}; use dataset or samples.`,
        );
    }
    return { width, height, seed, format, layout };
}

/** Scene `index` of the set seeded with `seed`, rendered in memory. */
export function renderSetScene(
    seed: number,
    index: number,
    width: number,
    height: number,
): RenderedScene {
    return renderScene(childSeed(seed, index), width, height);
}

/** The encoded files of one scene: image, label map (8-bit grey) and instance map (8-bit grey). */
export async function encodeScene(
    scene: RenderedScene,
    format: 'jpeg' | 'png',
): Promise<{ image: Buffer; label: Buffer; instance: Buffer }> {
    const { width, height } = scene;
    const raw = (data: Uint8Array, channels: 1 | 3) =>
        sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
            raw: { width, height, channels },
        });
    const rgb = raw(scene.rgb, 3);
    const [image, label, instance] = await Promise.all([
        format === 'jpeg'
            ? rgb.jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer()
            : rgb.png({ compressionLevel: 9 }).toBuffer(),
        // Without b-w, sharp widens a one-band raster to an RGB PNG.
        raw(scene.label, 1).toColourspace('b-w').png({ compressionLevel: 9 }).toBuffer(),
        raw(scene.instance, 1).toColourspace('b-w').png({ compressionLevel: 9 }).toBuffer(),
    ]);
    return { image, label, instance };
}

/** Replaces a file through a temporary sibling, so a reader never sees half a file. */
function writeReplace(file: string, data: string | Uint8Array): void {
    const tmp = tempSibling(file);
    try {
        fs.writeFileSync(tmp, data);
        fs.renameSync(tmp, file);
    } catch (e) {
        fs.rmSync(tmp, { force: true });
        throw e;
    }
}

/** Stem of scene i: zero-padded so names sort in scene order. */
export function sceneStem(i: number, count: number): string {
    return `scene_${String(i).padStart(Math.max(5, String(count - 1).length), '0')}`;
}

/** What the scene loop has written so far. */
interface Tally {
    stems: string[];
    kinds: Record<SceneKind, number>;
    /** Pixels per class id over all scenes. */
    pixels: number[];
}

/**
 * Renders and writes the scenes one by one; resolves to true when the signal stopped it.
 * Encodes run in `pending` so the caller can wait for them when something fails.
 */
async function writeScenes(
    options: GenerateScenesOptions,
    resolved: ReturnType<typeof resolveSceneOptions>,
    outDir: string,
    tally: Tally,
    pending: Set<Promise<void>>,
): Promise<boolean> {
    const { width, height, seed, format, layout } = resolved;
    const dirs = LAYOUTS[layout];
    const ext = format === 'jpeg' ? 'jpg' : 'png';
    let done = 0;
    for (let i = 0; i < options.count; i++) {
        if (options.signal?.aborted) {
            await Promise.all(pending);
            return true;
        }
        const scene = renderSetScene(seed, i, width, height);
        tally.kinds[scene.plan.kind]++;
        for (let p = 0; p < scene.label.length; p++) tally.pixels[scene.label[p]]++;
        const stem = sceneStem(i, options.count);
        tally.stems.push(stem);
        const job = encodeScene(scene, format).then((files) => {
            writeReplace(path.join(outDir, dirs.image, `${stem}.${ext}`), files.image);
            writeReplace(path.join(outDir, dirs.label, `${stem}.png`), files.label);
            writeReplace(path.join(outDir, dirs.instance, `${stem}.png`), files.instance);
            options.onProgress?.(++done, options.count);
        });
        const tracked = job.finally(() => pending.delete(tracked));
        pending.add(tracked);
        // Two scenes in flight keep sharp's threads busy without holding many rasters.
        if (pending.size >= 2) await Promise.race(pending);
    }
    await Promise.all(pending);
    return false;
}

/** Generates and writes `count` scenes. Rendering overlaps with the encoding of earlier scenes. */
export async function generateScenes(
    options: GenerateScenesOptions,
): Promise<GenerateScenesResult> {
    const resolved = resolveSceneOptions(options);
    const { width, height, seed, format, layout } = resolved;
    const outDir = path.resolve(options.outDir);
    const dirs = LAYOUTS[layout];
    for (const d of Object.values(dirs)) fs.mkdirSync(path.join(outDir, d), { recursive: true });
    const classFile = sceneClassFile();
    const tally: Tally = {
        stems: [],
        kinds: { lake: 0, coast: 0, meadow: 0, winter: 0 },
        pixels: new Array<number>(classFile.numClasses).fill(0),
    };
    const pending = new Set<Promise<void>>();
    let cancelled: boolean;
    try {
        cancelled = await writeScenes(options, resolved, outDir, tally, pending);
    } catch (e) {
        // Let encodes already started settle, so none fails later unobserved.
        await Promise.allSettled(pending);
        throw e;
    }
    const { stems, kinds, pixels } = tally;
    const total = pixels.reduce((a, b) => a + b, 0);
    const classShares = pixels.map((n) => (total > 0 ? n / total : 0));
    const classPath = path.join(outDir, 'classes.json');
    writeReplace(classPath, formatClassFile(classFile));
    const manifest = {
        generator: 'spade-studio procedural scenes',
        version: 1,
        seed,
        count: stems.length,
        width,
        height,
        format,
        layout,
        folders: dirs,
        kinds,
        class_shares: Object.fromEntries(
            classFile.names.map((n, i) => [n, Number(classShares[i].toFixed(4))]),
        ),
    };
    writeReplace(path.join(outDir, 'scenes.json'), JSON.stringify(manifest, null, 2) + '\n');
    return { outDir, width, height, stems, classFile: classPath, kinds, classShares, cancelled };
}
