/**
 * Tiny datasets on disk for the dataset-check tests, one per label-format case, written with
 * sharp (and the pipeline's PNG encoder where sharp cannot choose palette indices).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { encodePng } from '../../server/src/data/png';

/** A temporary custom-mode dataset: label/ and image/ under one root. */
export class FixtureDataset {
    readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-ds-'));
    readonly labels = path.join(this.root, 'label');
    readonly images = path.join(this.root, 'image');

    constructor() {
        fs.mkdirSync(this.labels);
        fs.mkdirSync(this.images);
    }

    /** An 8-bit greyscale label map with these values, row by row. */
    async grey(name: string, w: number, h: number, values: number[]): Promise<string> {
        const file = path.join(this.labels, name);
        await sharp(Buffer.from(values), { raw: { width: w, height: h, channels: 1 } })
            .png()
            .toFile(file);
        return file;
    }

    /** A 16-bit greyscale label map. */
    async grey16(name: string, w: number, h: number, values: number[]): Promise<string> {
        const file = path.join(this.labels, name);
        // A Uint16Array input tells sharp the raw samples are 16-bit.
        await sharp(new Uint16Array(values), { raw: { width: w, height: h, channels: 1 } })
            .toColourspace('grey16')
            .png()
            .toFile(file);
        return file;
    }

    /** A palette PNG whose indices are `indices` and whose palette colours are unrelated. */
    palette(name: string, w: number, h: number, indices: number[]): string {
        const file = path.join(this.labels, name);
        // Colours chosen so that no colour's value equals its index.
        const palette = Uint8Array.from([200, 10, 10, 10, 200, 10, 10, 10, 200]);
        fs.writeFileSync(
            file,
            encodePng({ width: w, height: h, kind: 'palette', samples: indices, palette }),
        );
        return file;
    }

    /** An RGB colour mask (3 channels per pixel). */
    async rgb(name: string, w: number, h: number, rgb: number[], jpeg = false): Promise<string> {
        const file = path.join(this.labels, name);
        const img = sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels: 3 } });
        await (jpeg ? img.jpeg({ quality: 100 }) : img.png()).toFile(file);
        return file;
    }

    /** A JPEG greyscale label map. */
    async jpegLabel(name: string, w: number, h: number, values: number[]): Promise<string> {
        const file = path.join(this.labels, name);
        await sharp(Buffer.from(values), { raw: { width: w, height: h, channels: 1 } })
            .jpeg({ quality: 100 })
            .toFile(file);
        return file;
    }

    /** A photo of w x h stored pixels, with an EXIF orientation when given. */
    async image(name: string, w: number, h: number, orientation?: number): Promise<string> {
        const file = path.join(this.images, name);
        let img = sharp({
            create: { width: w, height: h, channels: 3, background: { r: 90, g: 120, b: 30 } },
        }).jpeg();
        if (orientation) img = img.withMetadata({ orientation });
        await img.toFile(file);
        return file;
    }

    /** A config beside the dataset; returns its file URI. */
    config(text: string, name = 'cfg.spade'): { file: string; uri: string } {
        const file = path.join(this.root, name);
        fs.writeFileSync(file, text);
        return { file, uri: new URL(`file://${file}`).href };
    }

    remove(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/** A custom dataset block over a fixture, with extra lines inside it. */
export function customDataset(name: string, extra: string): string {
    return `dataset ${name} {\n    mode = custom\n    label_dir = "label"\n    image_dir = "image"\n${extra}}\n`;
}
