/**
 * The server side of the mask preview's four requests (`spade/preview/readMask`, `writeMask`,
 * `modelInfo`, `synthesize`), without the connection: the preview handler wires them.
 *
 * FIXME(#7): synthesis runs in the language server process. onnxruntime computes on its own
 * threads and the call is async, so the LSP loop stays responsive, but a native crash in the
 * runtime would take the server down, and exporting a run folder's checkpoint in memory is
 * synchronous (the loop waits while a large generator is built). The design moves
 * model loading and synthesis to a dedicated worker process.
 */
import * as path from 'node:path';
import sharp from 'sharp';
import type { SynthesisRequest } from '../engine/onnx/session';
import type {
    ModelInfoParams,
    ModelInfoResult,
    ReadMaskParams,
    ReadMaskResult,
    SynthesizeParams,
    SynthesizeResult,
    WriteMaskParams,
    WriteMaskResult,
} from '../protocol/preview';
import { PreviewError, decodeEncodedIds, readMaskFile, writeMaskFile } from './preview-masks';
import { PreviewModels, pathOfUri } from './preview-models';
import type { LoadedModel, PreviewModelsOptions } from './preview-models';

/** The most images one synthesis request may ask for (the page's grid offers 1..8). */
export const MAX_SAMPLES = 8;

/** Thrown when a request was cancelled before or while it ran; the handler answers "cancelled". */
export class PreviewCancelled extends Error {
    constructor() {
        super('the request was cancelled');
        this.name = 'PreviewCancelled';
    }
}

/** Whether the caller still wants the answer; checked before each costly step. */
export type StillWanted = () => boolean;

/** Settings of the preview service. */
export type PreviewServiceOptions = PreviewModelsOptions;

/** Ids the model cannot take: which, how many pixels, and the first one's place. */
interface UnknownIds {
    ids: number[];
    pixels: number;
    x: number;
    y: number;
}

function unknownIds(
    ids: Uint8Array | Uint16Array,
    width: number,
    labelNc: number,
    dontcare: boolean,
): UnknownIds | undefined {
    const seen = new Set<number>();
    let pixels = 0;
    let first = -1;
    for (let i = 0; i < ids.length; i++) {
        const v = ids[i];
        if (v < labelNc || (dontcare && (v === 255 || v === labelNc))) continue;
        if (first < 0) first = i;
        pixels++;
        seen.add(v);
    }
    if (first < 0) return undefined;
    const sorted = [...seen].sort((a, b) => a - b);
    return { ids: sorted, pixels, x: first % width, y: Math.floor(first / width) };
}

/** The four preview requests over files and onnxruntime sessions. */
export class PreviewService {
    private readonly models: PreviewModels;
    /** Synthesis runs one at a time: a queued request whose caller gave up never runs. */
    private queue: Promise<unknown> = Promise.resolve();

    constructor(options: PreviewServiceOptions = {}) {
        this.models = new PreviewModels(options);
    }

    async readMask(p: ReadMaskParams): Promise<ReadMaskResult> {
        return readMaskFile(pathOfUri(p.uri, 'mask'));
    }

    async writeMask(p: WriteMaskParams): Promise<WriteMaskResult> {
        const file = pathOfUri(p.uri, 'mask');
        const ids = decodeEncodedIds(p.ids, file);
        const bytesWritten = await writeMaskFile(file, ids, p.ids.width, p.ids.height, p.format);
        return { bytesWritten };
    }

    async modelInfo(p: ModelInfoParams): Promise<ModelInfoResult> {
        const m = await this.models.get(p.model);
        return { model: m.info, ...(m.classes ? { classes: m.classes } : {}) };
    }

    /**
     * Synthesizes `samples` images (seeds `seed`, `seed + 1`, ...; one image for a model
     * without a style encoder) from the request's ids, as PNG. Waits for earlier requests;
     * when `stillWanted` turns false before it runs, it throws PreviewCancelled.
     */
    async synthesize(p: SynthesizeParams, stillWanted: StillWanted): Promise<SynthesizeResult> {
        const t0 = performance.now();
        const maskFile = pathOfUri(p.maskUri, 'mask');
        const ids = decodeEncodedIds(p.ids, maskFile);
        const model = await this.models.get(p.model);
        this.checkIds(maskFile, ids, p.ids.width, model);
        if (p.styleUri !== undefined && model.info.hasStyleEncoder) {
            // FIXME(#7): needs the style encoder exported beside the generator (see exportRun).
            throw new PreviewError(
                `${path.basename(maskFile)}: style images cannot be used yet: the exported model ` +
                    `${model.info.name} has no style encoder. Clear the style image to ` +
                    'synthesize with random styles from the seed.',
            );
        }
        const count = model.info.hasStyleEncoder
            ? Math.max(1, Math.min(MAX_SAMPLES, Math.floor(p.samples) || 1))
            : 1;
        const seed = Number.isFinite(p.seed) ? Math.floor(p.seed) : 0;
        const requests: SynthesisRequest[] = [];
        for (let k = 0; k < count; k++) {
            requests.push({
                labels: { ids, width: p.ids.width, height: p.ids.height },
                seed: seed + k,
            });
        }
        const rgb = await this.exclusive(async () => {
            if (!stillWanted()) throw new PreviewCancelled();
            return model.session.synthesize(requests);
        });
        if (!stillWanted()) throw new PreviewCancelled();
        const images = await Promise.all(
            rgb.map(async (im) => {
                const png = await sharp(
                    Buffer.from(im.rgb.buffer, im.rgb.byteOffset, im.rgb.length),
                    {
                        raw: { width: im.width, height: im.height, channels: 3 },
                    },
                )
                    .png({ compressionLevel: 3 })
                    .toBuffer();
                return { width: im.width, height: im.height, png: png.toString('base64') };
            }),
        );
        return { images, elapsedMs: performance.now() - t0 };
    }

    async dispose(): Promise<void> {
        await this.models.dispose();
    }

    private checkIds(
        maskFile: string,
        ids: Uint8Array | Uint16Array,
        width: number,
        model: LoadedModel,
    ): void {
        const { labelClasses: nc, dontcareValue, name } = model.info;
        const bad = unknownIds(ids, width, nc, dontcareValue !== undefined);
        if (!bad) return;
        const shown = bad.ids.slice(0, 8).join(', ') + (bad.ids.length > 8 ? ', …' : '');
        const dc = dontcareValue !== undefined ? ` and ${dontcareValue} (dontcare)` : '';
        throw new PreviewError(
            `${path.basename(maskFile)}: class id${bad.ids.length > 1 ? 's' : ''} ${shown} ` +
                `(${bad.pixels} pixel${bad.pixels === 1 ? '' : 's'}, first at ${bad.x}, ${bad.y}) ` +
                `cannot be synthesized: the model ${name} knows ${nc} classes (ids 0..${nc - 1}${dc}). ` +
                'Choose a model trained on this dataset with the Model… button, or paint those ' +
                'pixels with known classes.',
        );
    }

    /** Runs `f` after every earlier synthesis finished, so runs never compete for the cores. */
    private exclusive<T>(f: () => Promise<T>): Promise<T> {
        const run = this.queue.then(f, f);
        this.queue = run.catch(() => undefined);
        return run;
    }
}
