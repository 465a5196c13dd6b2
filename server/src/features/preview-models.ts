/**
 * The models the preview synthesizes with: a `ModelRef` resolved to a file or folder (the
 * embedded default, an exported .onnx file, a run folder's latest checkpoint exported in
 * memory), loaded once into an onnxruntime session (with its style encoder, when it has one)
 * and kept while its file is unchanged. Runs in the synthesis worker.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
    SOURCE_KEY,
    defaultModelPath,
    locateCheckpoint,
    readMetadata,
    resolveModel,
} from '../cli/model-source';
import type { ModelClasses, ModelSource, ResolvedModel } from '../cli/model-source';
import { EncoderSession } from '../engine/onnx/encoder-session';
import { GeneratorSession } from '../engine/onnx/session';
import type { ClassTable, ModelInfo, ModelRef } from '../protocol/preview';
import { PreviewError, colorsFromEntries, pathOfUri } from './preview-masks';

/** A loaded model with what the preview reports about it. */
export interface LoadedModel {
    session: GeneratorSession;
    /** The style encoder, for a model with a z input and an exported encoder. */
    encoder?: EncoderSession;
    /** Why a model with a z input has no `encoder` (for the style image's message). */
    encoderProblem?: string;
    info: ModelInfo;
    classes?: ClassTable;
    /** The file or folder it came from, for messages. */
    where: string;
}

/** Settings of the model cache. */
export interface PreviewModelsOptions {
    /** The embedded default model's path; default: samples/default-model/generator.onnx. */
    defaultModel?: string;
    /** Sessions kept loaded at once (least recently used go first); default 3. */
    keep?: number;
    /**
     * onnxruntime intra-op threads; default: half the cores (at least one). The preview shares
     * the machine with the editor and the webview that draw each image: on the 2-core project
     * machine one thread cut the stroke-to-image median from about 235-285 ms to 195 ms.
     */
    threads?: number;
}

function mtimeOf(p: string): number {
    try {
        return fs.statSync(p).mtimeMs;
    } catch {
        return -1;
    }
}

function classTableOf(c: ModelClasses | undefined): ClassTable | undefined {
    if (!c || (!c.names && !c.palette)) return undefined;
    const table: ClassTable = { names: c.names ?? [] };
    if (c.palette) table.colors = colorsFromEntries(c.palette);
    return table;
}

/** Loads models on demand and keeps the recently used ones. */
export class PreviewModels {
    private readonly cache = new Map<string, Promise<LoadedModel>>();
    private readonly defaultModel: string;

    constructor(private readonly options: PreviewModelsOptions = {}) {
        this.defaultModel = options.defaultModel ?? defaultModelPath();
    }

    /**
     * The model for `ref` (absent: the default), loaded or from the cache. The cache key holds
     * the file's modification time (for a run: its latest checkpoint), so a re-exported model
     * or a new checkpoint is loaded again.
     */
    async get(ref: ModelRef | undefined): Promise<LoadedModel> {
        const { key, target, kind } = this.locate(ref ?? { kind: 'default' });
        const hit = this.cache.get(key);
        if (hit) {
            // Most recently used last, so eviction takes the oldest.
            this.cache.delete(key);
            this.cache.set(key, hit);
            return hit;
        }
        const loading = this.load(target, kind);
        this.cache.set(key, loading);
        // A failed load is not kept: the user may fix the file and try again.
        loading.catch(() => {
            if (this.cache.get(key) === loading) this.cache.delete(key);
        });
        this.evict();
        return loading;
    }

    /** Releases every session. */
    async dispose(): Promise<void> {
        const all = [...this.cache.values()];
        this.cache.clear();
        await Promise.all(all.map((p) => p.then(releaseModel).catch(() => {})));
    }

    private evict(): void {
        const keep = this.options.keep ?? 3;
        while (this.cache.size > keep) {
            const [oldest, loading] = this.cache.entries().next().value as [
                string,
                Promise<LoadedModel>,
            ];
            this.cache.delete(oldest);
            // A request holding it keeps running: release once it had its chance to finish.
            void loading.then(
                (m) => setTimeout(() => void releaseModel(m).catch(() => {}), 30_000).unref(),
                () => {},
            );
        }
    }

    private locate(ref: ModelRef): { key: string; target: string; kind: ModelRef['kind'] } {
        if (ref.kind === 'default') {
            const file = this.defaultModel;
            if (!fs.existsSync(file)) {
                throw new PreviewError(
                    `No default model yet: the embedded default model ${file} has not been ` +
                        'made (it is trained from samples/default-model/landscapes-64.spade; see ' +
                        'samples/default-model/README.md). Meanwhile choose an exported .onnx ' +
                        'file or a run folder with the Model… button.',
                );
            }
            return { key: `default:${file}:${mtimeOf(file)}`, target: file, kind: 'default' };
        }
        if (ref.kind === 'onnx') {
            const file = pathOfUri(ref.uri, 'model');
            return { key: `onnx:${file}:${mtimeOf(file)}`, target: file, kind: 'onnx' };
        }
        if (ref.kind === 'checkpoint') {
            const folder = pathOfUri(ref.uri, 'run folder');
            let checkpointDir: string;
            try {
                checkpointDir = locateCheckpoint(folder).checkpointDir;
            } catch (e) {
                throw new PreviewError(
                    `${(e as Error).message}. Choose another model with the Model… button.`,
                );
            }
            return {
                key: `run:${checkpointDir}:${mtimeOf(checkpointDir)}`,
                target: folder,
                kind: 'checkpoint',
            };
        }
        throw new PreviewError(
            `Unknown model kind ${JSON.stringify((ref as { kind?: unknown }).kind)}; ` +
                'choose the model again with the Model… button.',
        );
    }

    private async load(target: string, kind: ModelRef['kind']): Promise<LoadedModel> {
        let resolved;
        try {
            // resolveModel exports a run folder in memory and reads an .onnx file's classes.
            resolved = resolveModel(target, path.dirname(target));
        } catch (e) {
            throw new PreviewError(`${(e as Error).message}.`);
        }
        const threads =
            this.options.threads ?? Math.max(1, Math.floor(os.availableParallelism() / 2));
        let session: GeneratorSession;
        try {
            session = await GeneratorSession.load(resolved.bytes, { threads });
        } catch (e) {
            throw new PreviewError(`${target}: ${(e as Error).message}.`);
        }
        const m = session.info;
        const style = m.zDim > 0 ? await loadEncoder(resolved, m.zDim, threads) : {};
        const source = readMetadata<ModelSource>(resolved.bytes, SOURCE_KEY);
        let name = path.basename(target);
        if (kind === 'default') name = `default model (${path.basename(target)})`;
        else if (source) name = `${path.basename(source.run)} (step ${source.step})`;
        const info: ModelInfo = {
            name,
            kind,
            labelClasses: m.labelNc,
            inputChannels: m.semanticChannels,
            hasStyleEncoder: m.zDim > 0,
            outputWidth: m.width,
            outputHeight: m.height,
        };
        if (m.containDontcare) info.dontcareValue = 255;
        const classes = classTableOf(resolved.classes);
        return { session, ...style, info, where: target, ...(classes ? { classes } : {}) };
    }
}

/** Frees a model's sessions. */
async function releaseModel(m: LoadedModel): Promise<void> {
    await Promise.all([m.session.release(), m.encoder?.release()]);
}

/**
 * The style encoder of a model with a z input. A missing or unusable one is not an error
 * here: the model still synthesizes from seeds, and a style image is refused with the reason.
 */
async function loadEncoder(
    resolved: ResolvedModel,
    zDim: number,
    threads: number,
): Promise<Pick<LoadedModel, 'encoder' | 'encoderProblem'>> {
    const file = resolved.encoder;
    if (!file) return { encoderProblem: resolved.encoderProblem ?? 'no style encoder' };
    let encoder: EncoderSession;
    try {
        encoder = await EncoderSession.load(file.bytes, file.where, { threads });
    } catch (e) {
        return { encoderProblem: `no usable style encoder (${(e as Error).message})` };
    }
    if (encoder.info.zDim === zDim) return { encoder };
    await encoder.release();
    return {
        encoderProblem:
            `a style encoder whose z has ${encoder.info.zDim} values while the generator takes ` +
            `${zDim} (${file.where}); export the run again`,
    };
}
