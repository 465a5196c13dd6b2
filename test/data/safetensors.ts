/**
 * The data tests' view of the golden vectors: the engine's safetensors reader, with every
 * tensor widened to a plain numeric array (I64 values are small ids, exact as float64).
 */
import { readSafetensors as readFile } from '../../server/src/engine/safetensors';

/** One tensor: its dtype, shape and values widened to a plain typed array. */
export interface StTensor {
    dtype: string;
    shape: number[];
    data: Uint8Array | Float32Array | Float64Array;
}

/** Reads every tensor of a .safetensors file. */
export function readSafetensors(file: string): Map<string, StTensor> {
    const out = new Map<string, StTensor>();
    for (const [name, t] of readFile(file).tensors) {
        const data = t.dtype === 'I64' ? Float64Array.from(t.data, Number) : t.data;
        out.set(name, { dtype: t.dtype, shape: t.shape, data });
    }
    return out;
}
