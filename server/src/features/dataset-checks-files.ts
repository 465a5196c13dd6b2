/**
 * The dataset checks' only access to the disk, behind an interface so the checks can be run
 * on fakes and the language core stays free of Node. The Node implementation goes through
 * the data pipeline (indexing, label inspection), so the checks report what training sees.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { DatasetOptions } from '../engine/options';
import { indexDatasetAsync } from '../data/dataset';
import type { DatasetIndex } from '../data/dataset';
import type { StopSignal } from '../data/dataset-listing';
import { inspectLabelFile, type LabelInspection } from '../data/label-inspect';
import type { ReadLabelOptions } from '../data/label-file';
import { readClassFile } from '../data/palettes';
import type { ClassFile } from '../data/palettes';

/** A file's identity for caching: a changed file changes its mtime or size. */
export interface FileStamp {
    mtimeMs: number;
    size: number;
}

/** A photo's header: stored size and EXIF orientation (1 = as stored). */
export interface ImageHeader {
    width: number;
    height: number;
    orientation: number;
    /** Why the header could not be read. */
    error?: string;
}

/** What the dataset checks need from the disk. */
export interface DatasetFiles {
    stat(file: string): FileStamp | undefined;
    /** Lists and pairs without blocking the server; undefined once `stop` says so. */
    index(options: DatasetOptions, stop: StopSignal): Promise<DatasetIndex | undefined>;
    inspectLabel(file: string, opts: ReadLabelOptions): Promise<LabelInspection>;
    imageHeader(file: string): Promise<ImageHeader>;
    classFile(file: string): ClassFile;
    /** Class files with colours in these folders (not recursive), for the RGB-mask fix. */
    palettesIn(dirs: string[]): string[];
}

/** The real disk, through the data pipeline and sharp's header reader. */
export class NodeDatasetFiles implements DatasetFiles {
    stat(file: string): FileStamp | undefined {
        try {
            const s = fs.statSync(file);
            return { mtimeMs: s.mtimeMs, size: s.size };
        } catch {
            return undefined;
        }
    }

    index(options: DatasetOptions, stop: StopSignal): Promise<DatasetIndex | undefined> {
        // The same index the trainer gets, listed asynchronously and in short slices so the
        // server keeps answering while 100,000 names are listed, sorted and paired.
        return indexDatasetAsync(options, stop);
    }

    inspectLabel(file: string, opts: ReadLabelOptions): Promise<LabelInspection> {
        return inspectLabelFile(file, opts);
    }

    async imageHeader(file: string): Promise<ImageHeader> {
        try {
            const m = await sharp(file).metadata();
            return { width: m.width ?? 0, height: m.height ?? 0, orientation: m.orientation ?? 1 };
        } catch (e) {
            const lines = (e instanceof Error ? e.message : String(e)).split('\n');
            return { width: 0, height: 0, orientation: 1, error: lines[lines.length - 1] };
        }
    }

    classFile(file: string): ClassFile {
        return readClassFile(file);
    }

    palettesIn(dirs: string[]): string[] {
        const out: string[] = [];
        for (const dir of new Set(dirs)) {
            let names: string[];
            try {
                names = fs.readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.json'));
            } catch {
                continue;
            }
            for (const n of names.sort()) {
                const file = path.join(dir, n);
                try {
                    if (readClassFile(file).palette) out.push(file);
                } catch {
                    // Not a class file; other JSON files are common beside datasets.
                }
            }
        }
        return out;
    }
}
