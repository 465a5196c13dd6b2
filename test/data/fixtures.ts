/**
 * Helpers for the data tests: dataset options with the reference's coco defaults, and a
 * temporary folder per test file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import type { DatasetOptions } from '../../server/src/engine/options';

/** COCO options as the reference's test options resolve them, overridable. */
export function cocoOptions(root: string, over: Partial<DatasetOptions> = {}): DatasetOptions {
    return {
        mode: 'coco',
        root,
        labelNc: 182,
        containDontcare: true,
        useInstance: true,
        preprocess: 'resize_and_crop',
        loadSize: 286,
        cropSize: 256,
        aspectRatio: 1,
        flip: false,
        onBadSample: 'stop',
        phase: 'test',
        ...over,
    };
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(tag: string): { dir: string; remove: () => void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `spade-data-${tag}-`));
    return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Writes an 8-bit greyscale PNG of ids (creating folders). */
export async function writeGrey(file: string, w: number, h: number, px: number[]): Promise<void> {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await sharp(Uint8Array.from(px), { raw: { width: w, height: h, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(file);
}

/** Writes a 16-bit greyscale PNG (creating folders). */
export async function writeGrey16(file: string, w: number, h: number, px: number[]) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await sharp(Uint16Array.from(px), { raw: { width: w, height: h, channels: 1 } })
        .toColourspace('grey16')
        .png()
        .toFile(file);
}

/** Writes a w x h photo with a gradient, as JPEG or PNG by extension (creating folders). */
export async function writePhoto(file: string, w: number, h: number): Promise<void> {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const px = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) px.set([(i * 7) & 255, (i * 13) & 255, (i * 29) & 255], i * 3);
    const img = sharp(px, { raw: { width: w, height: h, channels: 3 } });
    await (file.endsWith('.png') ? img.png() : img.jpeg()).toFile(file);
}

/** A label map of w x h with ids cycling through `ids`. */
export function pattern(w: number, h: number, ids: number[]): number[] {
    return Array.from({ length: w * h }, (_, i) => ids[Math.floor(i / 3) % ids.length]);
}
