/**
 * Runs an exported SPADE generator with onnxruntime-node: session settings that measured
 * fastest on the project machine (all graph optimisations, one intra-op thread per core,
 * sequential), input checks whose errors say what the model expects, and `synthesize`, which
 * goes from a label-id map to RGB bytes in one call.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { ortModule } from '../ort-module';
import { onnx } from 'onnx-proto';
import { INFO_KEY } from './export';
import type { LabelMap, LabelSpec, RgbImage } from './preprocess';
import { buildSemantics, toRgb } from './preprocess';
import { Rng } from './random-state';
import type { OnnxModelInfo } from './types';

/** Session choices; the defaults suit inference on CPU. */
export interface GeneratorSessionOptions {
    /** Intra-op threads; default: the machine's available parallelism. */
    threads?: number;
    /** Execution providers in order of preference; default `['cpu']`. */
    executionProviders?: string[];
}

/** One synthesis: a label map (any size; resized to the model's), optional instance map. */
export interface SynthesisRequest {
    labels: LabelMap;
    /** Instance ids for the edge channel; without it edges come from the label map. */
    instance?: LabelMap;
    /** Seed for the style latent z of VAE models (ignored otherwise); default 0. */
    seed?: number;
    /** An explicit z (`zDim` values), e.g. from the style encoder; wins over `seed`. */
    z?: Float32Array;
    /**
     * The mask's label layout when the caller knows it (e.g. from its dataset config); a
     * mismatch with the model's is an error instead of a wrong image.
     */
    spec?: Partial<LabelSpec>;
}

/** Reads the exporter's metadata from ONNX model bytes; `where` names the source in errors. */
export function readModelInfo(bytes: Uint8Array, where: string): OnnxModelInfo {
    let model: onnx.ModelProto;
    try {
        model = onnx.ModelProto.decode(bytes);
    } catch (e) {
        throw new Error(`${where}: not an ONNX model (${(e as Error).message})`, { cause: e });
    }
    const entry = model.metadataProps.find((p) => p.key === INFO_KEY);
    let info: Partial<OnnxModelInfo> | undefined;
    try {
        info = entry?.value ? (JSON.parse(entry.value) as Partial<OnnxModelInfo>) : undefined;
    } catch {
        info = undefined;
    }
    if (info?.format !== 'spade-generator/1') {
        throw new Error(
            `${where}: this ONNX file was not exported by SPADE Studio (no '${INFO_KEY}' ` +
                'metadata), so its inputs are unknown; export the generator with `spade export`',
        );
    }
    return info as OnnxModelInfo;
}

/** A standard-normal z of `n * zDim` values from a seed (not PyTorch's stream). */
export function seededZ(seed: number, n: number, zDim: number): Float32Array {
    return new Rng(seed * 2654435761 + 17).normals(n * zDim, 1);
}

/** The runtime settings every session here uses: all graph optimisations, one op at a time. */
export function sessionOptions(
    threads: number | undefined,
    providers: string[] = ['cpu'],
): Ort.InferenceSession.SessionOptions {
    return {
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        intraOpNumThreads: threads ?? os.availableParallelism(),
        interOpNumThreads: 1,
        executionProviders: providers,
    };
}

/** A loaded generator: checks inputs, runs the session, converts results. */
export class GeneratorSession {
    private constructor(
        private readonly session: Ort.InferenceSession,
        /** What the model expects and produces. */
        readonly info: OnnxModelInfo,
        private readonly where: string,
    ) {}

    /** Loads a model from a file path or from exported bytes. */
    static async load(
        model: string | Uint8Array,
        options: GeneratorSessionOptions = {},
    ): Promise<GeneratorSession> {
        const where = typeof model === 'string' ? model : 'exported model';
        let bytes: Uint8Array;
        if (typeof model === 'string') {
            try {
                bytes = await fs.promises.readFile(model);
            } catch (e) {
                throw new Error(`${model}: cannot read the model (${(e as Error).message})`, {
                    cause: e,
                });
            }
        } else {
            bytes = model;
        }
        const info = readModelInfo(bytes, where);
        const providers = options.executionProviders ?? ['cpu'];
        try {
            const session = await ortModule().InferenceSession.create(
                bytes,
                sessionOptions(options.threads, providers),
            );
            return new GeneratorSession(session, info, where);
        } catch (e) {
            throw new Error(
                `${where}: onnxruntime could not load the model with execution providers ` +
                    `[${providers.join(', ')}] (${(e as Error).message}); with a GPU provider, ` +
                    "check that its runtime libraries are installed, or use ['cpu']",
                { cause: e },
            );
        }
    }

    /**
     * Runs the generator on raw feeds after checking every name, type and shape; returns the
     * `image` output, float32 `[N, 3, H, W]` in [-1, 1].
     */
    async run(feeds: Record<string, Ort.Tensor>): Promise<Float32Array> {
        const batch = this.checkFeeds(feeds);
        const out = await this.session.run(feeds);
        const image = out.image;
        const data = image.data as Float32Array;
        image.dispose();
        const { outputChannels: oc, height, width } = this.info;
        if (data.length !== batch * oc * height * width) {
            throw new Error(`${this.where}: output 'image' has an unexpected size`);
        }
        return data;
    }

    /** Synthesizes one image: label map in, RGB bytes at the model's size out. */
    async synthesizeOne(request: SynthesisRequest): Promise<RgbImage> {
        return (await this.synthesize([request]))[0];
    }

    /** Synthesizes one image per request (one batched run); RGB at the model's size. */
    async synthesize(requests: SynthesisRequest[]): Promise<RgbImage[]> {
        const { width, height, zDim } = this.info;
        if (this.info.outputChannels !== 3) {
            throw new Error(
                `${this.where}: the model outputs ${this.info.outputChannels} channels, not RGB; ` +
                    'use run() and convert the output yourself',
            );
        }
        for (const r of requests) this.checkSpec(r.spec);
        const semantics = buildSemantics(
            requests.map((r) => r.labels),
            this.info,
            width,
            height,
            requests.map((r) => r.instance),
        );
        const n = requests.length;
        const feeds: Record<string, Ort.Tensor> = {
            semantics: new (ortModule().Tensor)('float32', semantics, [
                n,
                this.info.semanticChannels,
                height,
                width,
            ]),
        };
        if (zDim > 0) {
            const z = new Float32Array(n * zDim);
            requests.forEach((r, i) => {
                const zi = r.z ?? seededZ(r.seed ?? 0, 1, zDim);
                if (zi.length !== zDim) {
                    throw new Error(`z has ${zi.length} values; this model needs ${zDim}`);
                }
                z.set(zi, i * zDim);
            });
            feeds.z = new (ortModule().Tensor)('float32', z, [n, zDim]);
        }
        const image = await this.run(feeds);
        return requests.map((_, i) => toRgb(image, i, width, height));
    }

    /** Frees the native session. */
    async release(): Promise<void> {
        await this.session.release();
    }

    private checkSpec(spec: Partial<LabelSpec> | undefined): void {
        if (spec === undefined) return;
        const m = this.info;
        const say = (s: Partial<LabelSpec>) =>
            `${s.labelNc} classes${s.containDontcare ? ' + dontcare' : ''}` +
            `${s.useInstance ? ' + instance edges' : ''}`;
        const differs = (['labelNc', 'containDontcare', 'useInstance'] as const).some(
            (k) => spec[k] !== undefined && spec[k] !== m[k],
        );
        if (differs) {
            throw new Error(
                `${this.where}: the mask's dataset has ${say({ ...m, ...spec })} but the model ` +
                    `was trained with ${say(m)}; pick a model trained on this dataset`,
            );
        }
    }

    private checkFeeds(feeds: Record<string, Ort.Tensor>): number {
        const { semanticChannels: c, height: h, width: w, zDim } = this.info;
        const expected: Record<string, string> = {
            semantics:
                `float32 [N, ${c}, ${h}, ${w}] (NCHW: one-hot labels` +
                (this.info.useInstance ? ', then the instance edge channel)' : ')'),
        };
        if (zDim > 0) expected.z = `float32 [N, ${zDim}]`;
        const list = Object.entries(expected)
            .map(([k, v]) => `'${k}' ${v}`)
            .join(' and ');
        const fail = (what: string): never => {
            throw new Error(`${this.where}: ${what}; the model expects ${list}`);
        };
        for (const name of Object.keys(feeds)) {
            if (!(name in expected)) fail(`unknown input '${name}'`);
        }
        for (const name of Object.keys(expected)) {
            if (!(name in feeds)) fail(`missing input '${name}'`);
        }
        const sem = feeds.semantics;
        if (sem.type !== 'float32') fail(`input 'semantics' is ${sem.type}`);
        const d = sem.dims;
        if (d.length !== 4) fail(`input 'semantics' has shape [${d}]`);
        if (d[1] !== c && d[3] === c) {
            fail(`input 'semantics' has shape [${d}], which looks like NHWC`);
        }
        if (d[1] !== c || d[2] !== h || d[3] !== w) fail(`input 'semantics' has shape [${d}]`);
        if (zDim > 0) {
            const z = feeds.z;
            if (z.type !== 'float32' || z.dims.length !== 2 || z.dims[1] !== zDim) {
                fail(`input 'z' is ${z.type} [${z.dims}]`);
            }
            if (z.dims[0] !== d[0]) fail(`'z' has batch ${z.dims[0]} but 'semantics' ${d[0]}`);
        }
        return d[0];
    }
}
