/**
 * Runs an exported style encoder with onnxruntime-node: RGB bytes in, the style latent's mu and
 * logvar out, and the z a style image gives for a seed.
 */
import type * as Ort from 'onnxruntime-node';
import { ortModule } from '../ort-module';
import { onnx } from 'onnx-proto';
import { ENCODER_INFO_KEY } from './encoder-export';
import type { OnnxEncoderInfo } from './encoder-export';
import type { RgbImage } from './preprocess';
import { seededZ, sessionOptions } from './session';

/** mu and logvar of one image's style, `zDim` values each. */
export interface StyleCode {
    mu: Float32Array;
    logvar: Float32Array;
}

/** Reads the encoder metadata from ONNX model bytes; `where` names the source in errors. */
export function readEncoderInfo(bytes: Uint8Array, where: string): OnnxEncoderInfo {
    let info: Partial<OnnxEncoderInfo> | undefined;
    try {
        const entry = onnx.ModelProto.decode(bytes).metadataProps.find(
            (p) => p.key === ENCODER_INFO_KEY,
        );
        info = entry?.value ? (JSON.parse(entry.value) as Partial<OnnxEncoderInfo>) : undefined;
    } catch {
        info = undefined;
    }
    if (info?.format !== 'spade-encoder/1') {
        throw new Error(
            `${where}: not a style encoder exported by SPADE Studio (no '${ENCODER_INFO_KEY}' ` +
                'metadata); export the run again with `spade export`',
        );
    }
    return info as OnnxEncoderInfo;
}

/**
 * The encoder's input from RGB bytes: float32 `[1, 3, H, W]` in [-1, 1], as the reference's
 * ToTensor + Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)).
 */
export function rgbToInput(img: RgbImage): Float32Array {
    const plane = img.width * img.height;
    if (img.rgb.length !== plane * 3) {
        throw new Error(
            `style image: ${img.rgb.length} bytes for ${img.width}x${img.height} RGB; ` +
                'pass 3 bytes per pixel',
        );
    }
    const out = new Float32Array(plane * 3);
    for (let i = 0; i < plane; i++) {
        for (let c = 0; c < 3; c++) out[c * plane + i] = img.rgb[i * 3 + c] / 127.5 - 1;
    }
    return out;
}

/**
 * The reference's `reparameterize` with a seeded eps: `z = mu + eps * exp(logvar / 2)`, eps the
 * same standard normal `seededZ(seed)` gives a model without a style image, so a seed keeps
 * its meaning and the style image moves the distribution it samples.
 */
export function styleZ(code: StyleCode, seed: number): Float32Array {
    const eps = seededZ(seed, 1, code.mu.length);
    const z = new Float32Array(code.mu.length);
    for (let i = 0; i < z.length; i++) z[i] = code.mu[i] + eps[i] * Math.exp(0.5 * code.logvar[i]);
    return z;
}

/** A loaded style encoder. */
export class EncoderSession {
    private constructor(
        private readonly session: Ort.InferenceSession,
        readonly info: OnnxEncoderInfo,
        private readonly where: string,
    ) {}

    /** Loads an encoder from exported bytes; `where` names them in errors. */
    static async load(
        bytes: Uint8Array,
        where: string,
        options: { threads?: number } = {},
    ): Promise<EncoderSession> {
        const info = readEncoderInfo(bytes, where);
        try {
            const session = await ortModule().InferenceSession.create(
                bytes,
                sessionOptions(options.threads),
            );
            return new EncoderSession(session, info, where);
        } catch (e) {
            throw new Error(
                `${where}: onnxruntime could not load the style encoder (${(e as Error).message})`,
                { cause: e },
            );
        }
    }

    /** The style code of one RGB image (any size; the graph resizes it). */
    async encode(img: RgbImage): Promise<StyleCode> {
        const image = new (ortModule().Tensor)('float32', rgbToInput(img), [
            1,
            3,
            img.height,
            img.width,
        ]);
        const out = await this.session.run({ image });
        const mu = Float32Array.from(out.mu.data as Float32Array);
        const logvar = Float32Array.from(out.logvar.data as Float32Array);
        out.mu.dispose();
        out.logvar.dispose();
        if (mu.length !== this.info.zDim || logvar.length !== this.info.zDim) {
            throw new Error(`${this.where}: the encoder's outputs have an unexpected size`);
        }
        return { mu, logvar };
    }

    /** Frees the native session. */
    async release(): Promise<void> {
        await this.session.release();
    }
}
