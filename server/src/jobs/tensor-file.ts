/**
 * Checkpoint tensor sets as safetensors files, through the engine's reader and writer, so a
 * checkpoint's G/D/E files open in other tools and the engine's own loaders.
 */
import {
    parseSafetensors,
    serializeSafetensors,
    toFloat32,
    type SafeTensor,
} from '../engine/safetensors';
import type { NamedTensor } from './trainer';

/** Serialise tensors; names are sorted so the same tensors always give the same bytes. */
export function encodeTensors(tensors: Record<string, NamedTensor>): Uint8Array {
    const map = new Map<string, SafeTensor>();
    for (const name of Object.keys(tensors).sort()) {
        const t = tensors[name];
        map.set(name, { dtype: 'F32', shape: t.shape, data: t.data });
    }
    return serializeSafetensors(map);
}

/** Parse tensors written by `encodeTensors`; `source` names the file in error messages. */
export function decodeTensors(bytes: Uint8Array, source: string): Record<string, NamedTensor> {
    const out: Record<string, NamedTensor> = {};
    for (const [name, t] of parseSafetensors(bytes, source).tensors) {
        // Copy so the result does not alias the file buffer.
        out[name] = { shape: t.shape, data: Float32Array.from(toFloat32(t)) };
    }
    return out;
}
