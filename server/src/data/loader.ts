/**
 * The batch API for the training worker: a seeded, resumable order of samples, batches built
 * ahead of the training step (decoding runs on sharp's thread pool, several samples at once),
 * bad samples skipped or fatal as the config says, and progress reports.
 *
 * Batch (epoch, step) is a pure function of the files, the options and the seed, whatever the
 * concurrency, so a resumed run sees exactly the batches an uninterrupted one would.
 */
import * as os from 'node:os';
import type { DatasetOptions } from '../engine/options';
import { semanticChannels } from '../engine/options';
import { indexDataset } from './dataset';
import type { DatasetIndex } from './dataset';
import { DataError, fail } from './issues';
import type { DataIssue } from './issues';
import { builtinPalette, readClassFile } from './palettes';
import type { Palette } from './palettes';
import { hashSeed, makeRandom, permutation } from './rng';
import { loadSample } from './sample';
import type { Sample } from './sample';
import { writeSemantics } from './semantics';

/** How the loader orders and prefetches. */
export interface LoaderOptions {
    seed: number;
    batchSize: number;
    /** Training: shuffle, flip (when the dataset allows) and drop the last partial batch. */
    train: boolean;
    /** Defaults to `train`. */
    shuffle?: boolean;
    /** Defaults to `train`. */
    dropLast?: boolean;
    /** Samples decoded at once (default: CPU count, at least 2). */
    concurrency?: number;
    /** Batches prepared ahead of the consumer (default 2). */
    prefetch?: number;
    /** Overrides the palette for RGB masks (default: class file colours, else built-in). */
    palette?: Palette;
    /** Called once per problem file (warnings and skipped samples). */
    onIssue?: (issue: DataIssue) => void;
    /** Called after each batch is handed out. */
    onProgress?: (p: LoaderProgress) => void;
}

/** Where the loader is. */
export interface LoaderProgress {
    epoch: number;
    step: number;
    stepsPerEpoch: number;
    samplesLoaded: number;
    samplesSkipped: number;
    samplesPerSecond: number;
}

/** A stacked batch in NCHW float32 (label and instance as int32 [B, H, W]). */
export interface Batch {
    epoch: number;
    step: number;
    size: number;
    width: number;
    height: number;
    /** semanticChannels(opts) */
    channels: number;
    semantics: Float32Array;
    image: Float32Array;
    label: Int32Array;
    instance?: Int32Array;
    samples: Array<Pick<Sample, 'key' | 'paths' | 'params'>>;
}

class Limiter {
    private active = 0;
    private readonly waiting: Array<() => void> = [];
    constructor(private readonly max: number) {}
    async run<T>(f: () => Promise<T>): Promise<T> {
        if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
        this.active++;
        try {
            return await f();
        } finally {
            this.active--;
            this.waiting.shift()?.();
        }
    }
}

/** Loads batches of one dataset. Create with `DataLoader.open`. */
export class DataLoader {
    private readonly limiter: Limiter;
    private readonly bad = new Map<number, DataError>();
    private readonly reported = new Set<string>();
    private loaded = 0;
    private skipped = 0;
    private readonly started = Date.now();

    private constructor(
        readonly options: DatasetOptions,
        readonly loader: LoaderOptions,
        readonly index: DatasetIndex,
        readonly palette: Palette | undefined,
    ) {
        this.limiter = new Limiter(loader.concurrency ?? Math.max(2, os.cpus().length));
    }

    /** Indexes the dataset. Throws DataError when no sample is usable or the class file is bad. */
    static open(options: DatasetOptions, loader: LoaderOptions): DataLoader {
        let palette = loader.palette;
        const file = options.classFile;
        if (!palette && file) {
            try {
                palette = readClassFile(file).palette;
            } catch (e) {
                const message = (e as Error).message;
                throw new DataError({ severity: 'error', code: 'unreadable', file, message });
            }
        }
        palette ??= builtinPalette(options.mode);
        const index = indexDataset(options);
        const dl = new DataLoader(options, loader, index, palette);
        for (const i of index.issues) dl.report(i);
        const fatal = index.issues.find((i) => i.code === 'empty-dataset');
        if (fatal) throw new DataError(fatal);
        return dl;
    }

    /** Complete samples found (after maxDatasetSize). */
    get size(): number {
        return this.index.entries.length;
    }

    /** Batches per epoch; the last partial batch is dropped when dropLast (training). */
    get stepsPerEpoch(): number {
        const b = this.loader.batchSize;
        return this.dropLast ? Math.floor(this.size / b) : Math.ceil(this.size / b);
    }

    private get dropLast(): boolean {
        return this.loader.dropLast ?? this.loader.train;
    }

    /** Entry indices of an epoch, in the order they are served. */
    order(epoch: number): Int32Array {
        const shuffle = this.loader.shuffle ?? this.loader.train;
        if (!shuffle) return identity(this.size);
        return permutation(this.size, hashSeed(this.loader.seed, epoch, 0x5eed));
    }

    private report(i: DataIssue): void {
        const key = `${i.code}:${i.file}`;
        if (this.reported.has(key)) return;
        this.reported.add(key);
        this.loader.onIssue?.(i);
    }

    /** The sample at a position of an epoch's order; bad ones are replaced by the next good one. */
    async sampleAt(epoch: number, position: number, order = this.order(epoch)): Promise<Sample> {
        const n = order.length;
        for (let k = 0; k < n; k++) {
            const idx = order[(position + k) % n];
            if (this.bad.has(idx)) continue;
            const random = makeRandom(hashSeed(this.loader.seed, epoch, position, k));
            try {
                const s = await this.limiter.run(() =>
                    loadSample(this.index.entries[idx], this.options, {
                        palette: this.palette,
                        random,
                        train: this.loader.train,
                        semantics: false,
                    }),
                );
                s.issues.forEach((i) => this.report(i));
                this.loaded++;
                return s;
            } catch (e) {
                if (!(e instanceof DataError)) throw e;
                this.report(e.issue);
                if (this.options.onBadSample === 'stop') throw e;
                this.bad.set(idx, e);
                this.skipped++;
            }
        }
        return fail('empty-dataset', this.index.folders.label, 'every sample failed to load.');
    }

    /** Batch `step` of `epoch` (1-based epochs, 0-based steps). */
    async loadBatch(epoch: number, step: number): Promise<Batch> {
        const order = this.order(epoch);
        const b = this.loader.batchSize;
        const from = step * b;
        const to = Math.min(order.length, from + b);
        const jobs: Array<Promise<Sample>> = [];
        for (let p = from; p < to; p++) jobs.push(this.sampleAt(epoch, p, order));
        return this.stack(epoch, step, await Promise.all(jobs));
    }

    private stack(epoch: number, step: number, samples: Sample[]): Batch {
        const { width, height } = samples[0];
        const odd = samples.find((s) => s.width !== width || s.height !== height);
        if (odd) {
            fail(
                'mixed-sizes',
                odd.paths.label,
                `comes out ${odd.width}x${odd.height} but ${samples[0].paths.label} comes out ` +
                    `${width}x${height}, so they cannot share a batch.`,
                `Use a preprocess mode that crops or fixes the size, or batch size 1 (mode ` +
                    `${this.options.preprocess}).`,
            );
        }
        const o = this.options;
        const plane = width * height;
        const channels = semanticChannels(o);
        const classes = o.labelNc + (o.containDontcare ? 1 : 0);
        const n = samples.length;
        const semantics = new Float32Array(n * channels * plane);
        const image = new Float32Array(n * 3 * plane);
        const label = new Int32Array(n * plane);
        const instance = o.useInstance ? new Int32Array(n * plane) : undefined;
        samples.forEach((s, i) => {
            const edges = o.useInstance ? (s.edges ?? new Uint8Array(plane)) : undefined;
            const ids = { width, height, data: s.label };
            writeSemantics(ids, classes, edges, semantics, i * channels * plane);
            image.set(s.image, i * 3 * plane);
            label.set(s.label, i * plane);
            if (instance && s.instance) instance.set(s.instance, i * plane);
        });
        const meta = samples.map((s) => ({ key: s.key, paths: s.paths, params: s.params }));
        return {
            epoch,
            step,
            size: n,
            width,
            height,
            channels,
            semantics,
            image,
            label,
            instance,
            samples: meta,
        };
    }

    /**
     * Batches from (epoch, step) on, prepared `prefetch` batches ahead, until `untilEpoch`
     * (inclusive) ends. Breaking out of the loop stops the prefetching.
     */
    async *batches(start = { epoch: 1, step: 0 }, untilEpoch = start.epoch): AsyncGenerator<Batch> {
        const ahead = Math.max(1, this.loader.prefetch ?? 2);
        const plan: Array<[number, number]> = [];
        for (let e = start.epoch; e <= untilEpoch; e++) {
            for (let s = e === start.epoch ? start.step : 0; s < this.stepsPerEpoch; s++) {
                plan.push([e, s]);
            }
        }
        const queue: Array<Promise<Batch>> = [];
        let next = 0;
        const fill = () => {
            while (queue.length < ahead && next < plan.length) {
                const [e, s] = plan[next++];
                const p = this.loadBatch(e, s);
                p.catch(() => undefined);
                queue.push(p);
            }
        };
        fill();
        while (queue.length > 0) {
            const batch = await (queue.shift() as Promise<Batch>);
            fill();
            this.loader.onProgress?.(this.progress(batch));
            yield batch;
        }
    }

    private progress(b: Batch): LoaderProgress {
        const secs = Math.max(1e-3, (Date.now() - this.started) / 1000);
        return {
            epoch: b.epoch,
            step: b.step,
            stepsPerEpoch: this.stepsPerEpoch,
            samplesLoaded: this.loaded,
            samplesSkipped: this.skipped,
            samplesPerSecond: this.loaded / secs,
        };
    }
}

function identity(n: number): Int32Array {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    return a;
}
