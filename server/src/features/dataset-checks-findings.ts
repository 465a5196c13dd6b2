/**
 * Per-file facts of a dataset check gathered into one finding per kind of problem, each
 * naming files and values, and the class histogram over the label maps opened.
 */
import * as path from 'node:path';
import { resizedSize } from '../data/preprocess';
import type { LabelInspection } from '../data';
import type { DiagnosticKind } from '../language/catalog';
import type { DatasetOptions } from '../engine/options';
import type { Anchor } from './dataset-checks-options';
import type { ImageHeader } from './dataset-checks-files';

/** One aggregated finding about the dataset, shown as one diagnostic. */
export interface Finding {
    kind: DiagnosticKind;
    anchor: Anchor;
    message: string;
    /** Files concerned (the first few become related information). */
    files: string[];
    /** A class file with colours found near the dataset (the RGB-mask fix offers it). */
    palette?: string;
}

/** Pixel and map counts of one class id over the label maps opened. */
export interface ClassCount {
    id: number;
    pixels: number;
    maps: number;
}

/** Collects per-file facts into one finding per kind of problem. */
export class Accumulator {
    private readonly out: Finding[] = [];
    private readonly groups = new Map<string, { files: string[]; notes: string[] }>();
    private readonly counts = new Map<number, ClassCount>();
    private readonly bad = new Map<number, { pixels: number; maps: number; files: string[] }>();

    constructor(private readonly o: DatasetOptions) {}

    add(kind: DiagnosticKind, anchor: Anchor, message: string, files: string[]): void {
        this.out.push({ kind, anchor, message, files });
    }

    private note(group: string, file: string, note?: string): void {
        const g = this.groups.get(group) ?? { files: [], notes: [] };
        this.groups.set(group, g);
        g.files.push(file);
        if (note && g.notes.length < 5) g.notes.push(note);
    }

    sample(
        label: LabelInspection,
        imageFile: string,
        image: ImageHeader,
        instFile: string | undefined,
        inst: ImageHeader | undefined,
    ): void {
        const name = path.basename(label.file);
        if (label.error) {
            const code = label.error.code;
            const group =
                code === 'rgb-without-palette'
                    ? 'rgb'
                    : code === 'unknown-colour'
                      ? 'colour'
                      : 'unreadable';
            this.note(group, label.file, label.error.message);
        } else {
            this.values(label);
            const enc = label.format.encoding;
            if (enc === 'palette') this.note('palette', label.file);
            if (enc === 'grey16') this.note('grey16', label.file);
            if (label.issues.some((i) => i.code === 'lossy-label')) this.note('lossy', label.file);
        }
        if (image.error) this.note('unreadable', imageFile, `${imageFile}: ${image.error}`);
        if (inst?.error && instFile)
            this.note('unreadable', instFile, `${instFile}: ${inst.error}`);
        if (label.error || image.error) return;
        const upright = (h: ImageHeader): [number, number] =>
            h.orientation >= 5 ? [h.height, h.width] : [h.width, h.height];
        const [uw, uh] = upright(image);
        const { width: lw, height: lh } = label;
        if (uw !== lw || uh !== lh) {
            const labelStored = [label.format.storedWidth, label.format.storedHeight];
            const exif =
                (image.orientation > 1 && image.width === lw && image.height === lh) ||
                (label.format.orientation > 1 && labelStored[0] === uw && labelStored[1] === uh);
            if (exif) {
                const who = image.orientation > 1 ? path.basename(imageFile) : name;
                const o = image.orientation > 1 ? image.orientation : label.format.orientation;
                this.note(
                    'exif',
                    imageFile,
                    `${who} has EXIF orientation ${o}, so it displays as ${uw}x${uh} while ${name} is ` +
                        `${lw}x${lh}`,
                );
            } else {
                this.note('size', label.file, `${name} is ${lw}x${lh}, its image ${uw}x${uh}`);
            }
        } else if (inst && instFile && !inst.error) {
            const [iw, ih] = upright(inst);
            if (iw !== lw || ih !== lh)
                this.note('size', instFile, `${name} is ${lw}x${lh}, its instance map ${iw}x${ih}`);
        }
        this.size(imageFile, uw, uh);
    }

    private values(label: LabelInspection): void {
        const o = this.o;
        const ade = o.mode === 'ade20k';
        const limit = ade ? o.labelNc + 1 : o.labelNc;
        for (const [id, pixels] of label.histogram) {
            const c = this.counts.get(id) ?? { id, pixels: 0, maps: 0 };
            c.pixels += pixels;
            c.maps++;
            this.counts.set(id, c);
            const unlabeled = (id === 255 && !ade) || (id === 0 && ade);
            if (unlabeled && !o.containDontcare) this.note('255', label.file);
            if (id < limit || (id === 255 && !ade)) continue;
            const b = this.bad.get(id) ?? { pixels: 0, maps: 0, files: [] };
            b.pixels += pixels;
            b.maps++;
            if (b.files.length < 10) b.files.push(label.file);
            this.bad.set(id, b);
        }
    }

    private size(file: string, w: number, h: number): void {
        const o = this.o;
        if (o.preprocess === 'none' || o.preprocess === 'fixed') return;
        const [rw, rh] = resizedSize(o, w, h);
        const crops = o.preprocess.includes('crop');
        const base = path.basename(file);
        if (crops && (rw < o.cropSize || rh < o.cropSize)) {
            const how = o.preprocess === 'crop' ? '' : ` (${rw}x${rh} after resizing)`;
            this.note(
                'small',
                file,
                `${base} is ${w}x${h}${how}, smaller than the ${o.cropSize}-pixel crop`,
            );
        } else if (rw > w || rh > h) {
            this.note(
                'small',
                file,
                `${base} is ${w}x${h}, upscaled to ${rw}x${rh} (load ${o.loadSize})`,
            );
        }
    }

    findings(): Finding[] {
        const g = (k: string) => this.groups.get(k);
        const list = (files: string[]) =>
            files
                .slice(0, 5)
                .map((f) => path.basename(f))
                .join(', ') + (files.length > 5 ? ` and ${files.length - 5} more` : '');
        const notes = (k: string) => g(k)!.notes.join('; ');
        const emit = (
            key: string,
            kind: DiagnosticKind,
            anchor: Anchor,
            text: (n: number) => string,
        ) => {
            const grp = g(key);
            if (grp) this.add(kind, anchor, text(grp.files.length), grp.files);
        };
        const o = this.o;
        emit(
            'unreadable',
            'dataUnreadable',
            'name',
            (n) => `${n} file(s) cannot be read: ${notes('unreadable')}. Re-export or remove them.`,
        );
        emit(
            'rgb',
            'dataRgbMask',
            'classFile',
            (n) =>
                `${n} label map(s) are RGB colour masks, but ${o.mode} expects one class id per pixel ` +
                `and knows no palette for their colours: ${list(g('rgb')!.files)}. Map them through ` +
                `a palette: set class_file to a JSON file with "names" and "colors" (index = ` +
                `id), or convert them to greyscale ids.`,
        );
        emit(
            'colour',
            'dataUnknownColour',
            'classFile',
            (n) =>
                `${n} RGB label map(s) hold colours that are not in the palette: ${notes('colour')}. Add ` +
                `the colours to the class file, or repaint those pixels.`,
        );
        const values = [...this.bad.entries()].sort((a, b) => a[0] - b[0]);
        if (values.length) {
            const range = o.mode === 'ade20k' ? `0..${o.labelNc}` : `0..${o.labelNc - 1}`;
            const shown = values
                .slice(0, 6)
                .map(
                    ([v, b]) =>
                        `${v} (${b.pixels} px in ${b.maps} map(s), e.g. ${path.basename(b.files[0])})`,
                )
                .join(', ');
            const max = values[values.length - 1][0];
            this.add(
                'dataOutOfRange',
                'classes',
                `Label maps hold ids outside ${range} for ${o.labelNc} classes: ` +
                    `${shown}${values.length > 6 ? ', ...' : ''}. Set classes to at least ${max + 1}, or ` +
                    `fix the label maps.`,
                values.flatMap(([, b]) => b.files),
            );
        }
        emit('255', 'data255', 'dontcare', (n) =>
            o.mode === 'ade20k'
                ? `${n} label map(s) hold 0 (ADE20K "unknown") but dontcare is off, so it has no ` +
                  `channel: ${list(g('255')!.files)}. Turn dontcare on.`
                : `${n} label map(s) hold 255 (unlabeled) but dontcare is off, so training stops at ` +
                  `them: ${list(g('255')!.files)}. Turn dontcare on (255 gets its own channel), or ` +
                  `repaint those pixels.`,
        );
        emit(
            'lossy',
            'dataLossy',
            'name',
            (n) =>
                `${n} label map(s) are JPEG files: ${list(g('lossy')!.files)}. JPEG changes pixel values ` +
                `near edges, so some ids are wrong. Save label maps as PNG.`,
        );
        emit(
            'palette',
            'dataPaletteIndices',
            'name',
            (n) =>
                `${n} label map(s) are palette PNGs: ${list(g('palette')!.files)}. Their palette indices ` +
                `are read as class ids, not their colours; make sure index k means class k.`,
        );
        emit(
            'grey16',
            'data16Bit',
            'name',
            (n) =>
                `${n} label map(s) are 16-bit greyscale: ${list(g('grey16')!.files)}. Values are read ` +
                `exactly (also above 255); classes must cover the largest.`,
        );
        emit(
            'exif',
            'dataExifRotated',
            'name',
            (n) =>
                `${n} sample(s) are rotated by EXIF, so photo and label no longer have the same ` +
                `displayed size: ${notes('exif')}. Save the photo upright (apply the rotation) or ` +
                `rotate its label the same way.`,
        );
        emit(
            'size',
            'dataSizeMismatch',
            'name',
            (n) =>
                `${n} sample(s) have a label and image (or instance map) of different sizes: ` +
                `${notes('size')}. They must show the same scene at the same size.`,
        );
        emit(
            'small',
            'dataTooSmall',
            'size',
            (n) =>
                `${n} image(s) are smaller than ${o.preprocess} needs: ${notes('small')}. Crops beyond ` +
                `the edge are padded with label 0 and upscaled images are blurry; lower load/crop or ` +
                `use larger images.`,
        );
        return this.out;
    }

    histogram(): ClassCount[] {
        return [...this.counts.values()].sort((a, b) => a.id - b.id);
    }
}
