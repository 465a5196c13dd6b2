/** Label ids and images between their in-memory form and the LSP's base64 form. */
import type {
    EncodedIds,
    LabelIds,
    SynthImage,
    SynthesizeResult,
} from '../../../server/src/protocol/preview';
import { dtypeOf, idsFromLeBytes, leBytesOf } from '../../../server/src/protocol/preview';

/** Ids as `EncodedIds` (base64 of the little-endian bytes). */
export function encodeIds(ids: LabelIds, width: number, height: number): EncodedIds {
    const bytes = leBytesOf(ids);
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    return { dtype: dtypeOf(ids), width, height, data };
}

/** Ids from `EncodedIds`; throws with the sizes when they do not match. */
export function decodeIds(e: EncodedIds): LabelIds {
    const buf = Buffer.from(e.data, 'base64');
    return idsFromLeBytes(
        new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength),
        e.dtype,
        e.width,
        e.height,
    );
}

/** The images of a synthesis result as PNG bytes for the webview. */
export function decodeImages(result: SynthesizeResult): SynthImage[] {
    return result.images.map((im) => {
        const buf = Buffer.from(im.png, 'base64');
        return {
            width: im.width,
            height: im.height,
            png: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength),
        };
    });
}
