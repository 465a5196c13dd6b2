/**
 * Reads an evaluation set from folders: synthesized images, real images and label maps paired
 * by file stem. When the synthesized images are smaller (a model trained at 128 evaluated on
 * 256 masks), the real images and labels are brought to their size the way the training data
 * pipeline resizes (bicubic for images, nearest for labels), never the other way round.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { decodePng } from '../data/png';
import { resizeBicubic, resizeNearest } from '../data/resample';
import type { ClassFile } from './classes';
import { parseClassFile } from './classes';
import type { EvaluationReport, LabelledImage } from './evaluate';
import { evaluatePairs } from './evaluate';

/** Where the evaluation set lives. */
export interface EvaluateDirsOptions {
    predDir: string;
    realDir: string;
    labelDir: string;
    /** Class file; default: classes.json in the label folder or its parent, else numbered ids. */
    classFile?: string;
}

/** An evaluation with what was found on the way. */
export interface EvaluateDirsResult {
    report: EvaluationReport;
    /** Class names used (from the class file, or "class N"). */
    names: string[];
    /** Where the names came from: a class file path, or undefined when derived from the labels. */
    classFile: string | undefined;
    /** Things the user should know: labels without an image, resizes. */
    notes: string[];
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.webp', '.bmp', '.tif', '.tiff']);

/** File stem -> path for the images in a folder (first name in sorted order wins). */
function listByStem(dir: string, what: string): Map<string, string> {
    let names: string[];
    try {
        names = fs.readdirSync(dir).sort();
    } catch (e) {
        throw new Error(`${dir}: cannot read the ${what} folder (${(e as Error).message}).`, {
            cause: e,
        });
    }
    const out = new Map<string, string>();
    for (const n of names) {
        const ext = path.extname(n).toLowerCase();
        if (!IMAGE_EXT.has(ext)) continue;
        const stem = path.basename(n, path.extname(n));
        if (!out.has(stem)) out.set(stem, path.join(dir, n));
    }
    return out;
}

/** Reads an image as 8-bit RGB. */
export async function readRgb(
    file: string,
): Promise<{ width: number; height: number; rgb: Uint8Array }> {
    try {
        const { data, info } = await sharp(file)
            .rotate()
            .removeAlpha()
            .toColourspace('srgb')
            .raw()
            .toBuffer({ resolveWithObject: true });
        if (info.channels !== 3)
            throw new Error(`decoded to ${info.channels} channels, expected 3`);
        return { width: info.width, height: info.height, rgb: new Uint8Array(data) };
    } catch (e) {
        throw new Error(`${file}: cannot read the image (${(e as Error).message}).`, { cause: e });
    }
}

/** Reads a label map of class ids: 8- or 16-bit grey, or palette PNG (indices are the ids). */
export function readLabel(file: string): { width: number; height: number; ids: Int32Array } {
    let png;
    try {
        png = decodePng(fs.readFileSync(file));
    } catch (e) {
        throw new Error(`${file}: cannot read the label map (${(e as Error).message}).`, {
            cause: e,
        });
    }
    if (png.channels !== 1) {
        throw new Error(
            `${file}: the label map has ${png.channels} channels; evaluation needs one class id per pixel (grey or palette PNG).`,
        );
    }
    return { width: png.width, height: png.height, ids: Int32Array.from(png.samples) };
}

function findClassFile(o: EvaluateDirsOptions): string | undefined {
    if (o.classFile !== undefined) return o.classFile;
    for (const p of [
        path.join(o.labelDir, 'classes.json'),
        path.join(o.labelDir, '..', 'classes.json'),
    ]) {
        if (fs.existsSync(p)) return p;
    }
    return undefined;
}

/** Evaluates every label map that has both a synthesized and a real image. */
export async function evaluateDirs(o: EvaluateDirsOptions): Promise<EvaluateDirsResult> {
    const notes: string[] = [];
    const classPath = findClassFile(o);
    let classes: ClassFile | undefined;
    if (classPath !== undefined) {
        let text: string;
        try {
            text = fs.readFileSync(classPath, 'utf8');
        } catch (e) {
            throw new Error(`${classPath}: cannot read the class file (${(e as Error).message}).`, {
                cause: e,
            });
        }
        classes = parseClassFile(text, classPath);
    }
    const labels = listByStem(o.labelDir, 'label');
    const preds = listByStem(o.predDir, 'synthesized image');
    const reals = listByStem(o.realDir, 'real image');
    const pairs: { pred: LabelledImage; real: LabelledImage }[] = [];
    const unpaired: string[] = [];
    let maxId = -1;
    let resized = 0;
    for (const [stem, labelFile] of labels) {
        const predFile = preds.get(stem);
        const realFile = reals.get(stem);
        if (predFile === undefined || realFile === undefined) {
            unpaired.push(stem);
            continue;
        }
        const lab = readLabel(labelFile);
        const real = await readRgb(realFile);
        const pred = await readRgb(predFile);
        if (real.width !== lab.width || real.height !== lab.height) {
            throw new Error(
                `${realFile}: the real image is ${real.width}x${real.height} but its label map ${labelFile} is ${lab.width}x${lab.height}; they must be the same size.`,
            );
        }
        let ids = lab.ids;
        let realRgb = real.rgb;
        if (pred.width !== lab.width || pred.height !== lab.height) {
            resized++;
            ids = resizeNearest(
                { width: lab.width, height: lab.height, data: ids },
                pred.width,
                pred.height,
            ).data;
            realRgb = resizeBicubic(
                { width: real.width, height: real.height, channels: 3, data: real.rgb },
                pred.width,
                pred.height,
            ).data;
        }
        for (const v of ids) if (v < 255 && v > maxId) maxId = v;
        const size = { width: pred.width, height: pred.height };
        pairs.push({
            pred: { ...size, rgb: pred.rgb, label: ids },
            real: { ...size, rgb: realRgb, label: ids },
        });
    }
    if (unpaired.length > 0) {
        const shown = unpaired.slice(0, 5).join(', ') + (unpaired.length > 5 ? ', ...' : '');
        notes.push(
            `${unpaired.length} label map(s) without both a synthesized and a real image were skipped: ${shown}.`,
        );
    }
    if (resized > 0) {
        notes.push(
            `${resized} real image(s) and label map(s) were resized to the synthesized images' size.`,
        );
    }
    if (pairs.length === 0) {
        throw new Error(
            `no label map in ${o.labelDir} has an image of the same name in both ${o.predDir} and ${o.realDir}; check the folders (files pair by name without extension).`,
        );
    }
    const names = classes?.names ?? Array.from({ length: maxId + 1 }, (_v, i) => `class ${i}`);
    if (classes && maxId >= classes.numClasses && maxId !== classes.dontcare?.pngValue) {
        notes.push(
            `label ids up to ${maxId} found but ${classPath} names ${classes.numClasses} classes; ids from ${classes.numClasses} on were left out.`,
        );
    }
    return { report: evaluatePairs(pairs, names), names, classFile: classPath, notes };
}
