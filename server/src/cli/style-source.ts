/**
 * Style images for VAE models, shared by `spade synthesize --style` and the preview: the image
 * read and resized to the model's size for the style encoder (`EncoderSession.encode`), whose
 * code each seed then samples from (`styleZ`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { OutputInfo } from 'sharp';
import type { RgbImage } from '../engine/onnx/preprocess';

/**
 * Reads an image as RGB at `width` x `height`: stretched to that size (the reference's
 * 'fixed' and 'resize' preprocessing ignore the aspect ratio too) with a cubic kernel (PIL's
 * BICUBIC, which the reference's image transform uses); alpha is dropped, grey becomes RGB.
 */
export async function readStyleImage(
    file: string,
    width: number,
    height: number,
): Promise<RgbImage> {
    let out: { data: Buffer; info: OutputInfo };
    if (!fs.existsSync(file)) {
        throw new Error(
            `${file}: cannot be read as a style image (no such file); choose a PNG or JPEG photo`,
        );
    }
    if (fs.statSync(file).isDirectory()) {
        throw new Error(
            `${file}: is a folder, not a style image; name one PNG or JPEG photo inside it`,
        );
    }
    try {
        out = await sharp(file)
            .toColourspace('srgb')
            .removeAlpha()
            .resize(width, height, { fit: 'fill', kernel: 'cubic' })
            .raw()
            .toBuffer({ resolveWithObject: true });
    } catch (e) {
        throw new Error(
            `${file}: cannot be read as a style image (${(e as Error).message}); choose a PNG ` +
                'or JPEG photo',
            { cause: e },
        );
    }
    if (out.info.channels !== 3) {
        throw new Error(
            `${path.basename(file)}: the style image decoded to ${out.info.channels} channels, ` +
                'not RGB; save it as an 8-bit RGB PNG or JPEG',
        );
    }
    return { rgb: new Uint8Array(out.data), width, height };
}
