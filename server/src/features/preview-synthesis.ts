/**
 * The preview's model requests (`spade/preview/modelInfo`, `synthesize`) as the synthesis
 * worker serves them: models loaded and cached, the mask's ids checked against the model,
 * style images through the model's encoder, images out as PNG. The language server forwards
 * these requests to the worker (synthesis-worker.ts) and never loads this module itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { readStyleImage } from '../cli/style-source';
import { styleZ } from '../engine/onnx/encoder-session';
import type { StyleCode } from '../engine/onnx/encoder-session';
import type { SynthesisRequest } from '../engine/onnx/session';
import type {
    ModelInfoParams,
    ModelInfoResult,
    SynthesizeParams,
    SynthesizeResult,
} from '../protocol/preview';
import { SYNTH_HOLD_ENV } from '../protocol/synthesis-worker';
import { PreviewCancelled, PreviewError, decodeEncodedIds, pathOfUri } from './preview-masks';
import { PreviewModels } from './preview-models';
import type { LoadedModel, PreviewModelsOptions } from './preview-models';

/** The most images one synthesis request may ask for (the page's grid offers 1..8). */
export const MAX_SAMPLES = 8;

/** Whether the caller still wants the answer; checked before each costly step. */
export type StillWanted = () => boolean;

/** Where the worker's log lines go. */
export type SynthesisLog = (level: 'warn' | 'debug', message: string) => void;

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

/** Blocks this thread while the test hook's file exists (see SYNTH_HOLD_ENV). */
function testHold(log: SynthesisLog): void {
    const file = process.env[SYNTH_HOLD_ENV];
    if (!file || !fs.existsSync(file)) return;
    log('debug', `test hold: synthesis waits while ${file} exists`);
    const cell = new Int32Array(new SharedArrayBuffer(4));
    while (fs.existsSync(file)) Atomics.wait(cell, 0, 0, 20);
}

/** modelInfo and synthesize over cached onnxruntime sessions. */
export class PreviewSynthesis {
    private readonly models: PreviewModels;
    /** Synthesis runs one at a time: a queued request whose caller gave up never runs. */
    private queue: Promise<unknown> = Promise.resolve();
    /** The last style image encoded: file, its modification time, model, code. */
    private style: { key: string; model: LoadedModel; code: StyleCode } | undefined;

    constructor(
        options: PreviewModelsOptions = {},
        private readonly log: SynthesisLog = () => {},
    ) {
        this.models = new PreviewModels(options);
    }

    async modelInfo(p: ModelInfoParams): Promise<ModelInfoResult> {
        const m = await this.models.get(p.model);
        return { model: m.info, ...(m.classes ? { classes: m.classes } : {}) };
    }

    /**
     * Synthesizes `samples` images (seeds `seed`, `seed + 1`, ...; one image for a model
     * without a style input) from the request's ids, as PNG. With a style image, sample k
     * uses z = mu + eps(seed + k) * std of the image's style code. Waits for earlier
     * requests; when `stillWanted` turns false before it runs, it throws PreviewCancelled.
     */
    async synthesize(p: SynthesizeParams, stillWanted: StillWanted): Promise<SynthesizeResult> {
        const t0 = performance.now();
        const maskFile = pathOfUri(p.maskUri, 'mask');
        const ids = decodeEncodedIds(p.ids, maskFile);
        const model = await this.models.get(p.model);
        this.checkIds(maskFile, ids, p.ids.width, model);
        const styled = model.info.hasStyleEncoder;
        const count = styled ? Math.max(1, Math.min(MAX_SAMPLES, Math.floor(p.samples) || 1)) : 1;
        const seed = Number.isFinite(p.seed) ? Math.floor(p.seed) : 0;
        const rgb = await this.exclusive(async () => {
            if (!stillWanted()) throw new PreviewCancelled();
            testHold(this.log);
            const code =
                styled && p.styleUri !== undefined
                    ? await this.styleCode(model, p.styleUri, maskFile)
                    : undefined;
            const requests: SynthesisRequest[] = [];
            for (let k = 0; k < count; k++) {
                requests.push({
                    labels: { ids, width: p.ids.width, height: p.ids.height },
                    seed: seed + k,
                    ...(code ? { z: styleZ(code, seed + k) } : {}),
                });
            }
            if (!stillWanted()) throw new PreviewCancelled();
            return model.session.synthesize(requests);
        });
        if (!stillWanted()) throw new PreviewCancelled();
        const images = await Promise.all(
            rgb.map(async (im) => {
                const raw = Buffer.from(im.rgb.buffer, im.rgb.byteOffset, im.rgb.length);
                const png = await sharp(raw, {
                    raw: { width: im.width, height: im.height, channels: 3 },
                })
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

    /** The style code of a style image, encoded once per image, file version and model. */
    private async styleCode(
        model: LoadedModel,
        styleUri: string,
        maskFile: string,
    ): Promise<StyleCode> {
        const file = pathOfUri(styleUri, 'style image');
        if (!model.encoder) {
            throw new PreviewError(
                `${path.basename(maskFile)}: the style image ${path.basename(file)} cannot be ` +
                    `used: the model ${model.info.name} has ${model.encoderProblem ?? 'no style encoder'}. ` +
                    'Clear the style image to synthesize with random styles from the seed.',
            );
        }
        let mtime = -1;
        try {
            mtime = fs.statSync(file).mtimeMs;
        } catch {
            // readStyleImage says what is wrong with the file.
        }
        const key = `${file}:${mtime}`;
        if (this.style?.key === key && this.style.model === model) return this.style.code;
        let code: StyleCode;
        try {
            const { outputWidth: w, outputHeight: h } = model.info;
            code = await model.encoder.encode(await readStyleImage(file, w, h));
        } catch (e) {
            throw new PreviewError(
                `${(e as Error).message}. Pick another style image, or clear it to use random styles.`,
            );
        }
        this.style = { key, model, code };
        this.log('debug', `style code of ${file} encoded for ${model.info.name}`);
        return code;
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
