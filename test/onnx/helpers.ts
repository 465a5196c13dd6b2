/**
 * Helpers of the ONNX tests: golden vectors, the generator options of the golden cases, and
 * max-abs differences.
 */
import * as ort from 'onnxruntime-node';
import type { ExportDataset, ExportGenerator } from '../../server/src/engine/onnx/export';
import type { SafeFile } from '../../server/src/engine/safetensors';
import { readSafetensors, toFloat32 } from '../../server/src/engine/safetensors';
import { requireShared } from '../support/shared';

const cache = new Map<string, SafeFile>();

/** A golden-vector file (skips the test when shared/ is absent). */
export function golden(ctx: Mocha.Context, name: string): SafeFile {
    const p = requireShared(ctx, 'refdata', `${name}.safetensors`);
    let f = cache.get(p);
    if (f === undefined) {
        f = readSafetensors(p);
        cache.set(p, f);
    }
    return f;
}

/** A stored tensor's values as float32 and its shape. */
export function tensor(f: SafeFile, name: string): { data: Float32Array; shape: number[] } {
    const t = f.tensors.get(name);
    if (t === undefined) throw new Error(`golden tensor ${name} missing`);
    return { data: toFloat32(t), shape: t.shape };
}

/** A stored tensor as an onnxruntime float32 tensor. */
export function ortTensor(f: SafeFile, name: string): ort.Tensor {
    const t = tensor(f, name);
    return new ort.Tensor('float32', t.data, t.shape);
}

/** Largest |a[i] - b[i]|; throws when the lengths differ. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
    if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
}

/** The dataset options of every generator golden case (coco: 182 labels, dontcare, edges). */
export const GOLDEN_DATA: ExportDataset = {
    labelNc: 182,
    containDontcare: true,
    useInstance: true,
    cropSize: 64,
    aspectRatio: 1,
};

/** generator_small's generator options (TestOptions defaults plus its argv). */
export const GOLDEN_GEN: ExportGenerator = {
    arch: 'spade',
    ngf: 4,
    upsampling: 'normal',
    paramFreeNorm: 'syncbatch',
    spadeKernel: 3,
    useVae: false,
    zDim: 256,
};

/** Runs exported bytes once on CPU with the given feeds; returns the `image` values. */
export async function runBytes(
    bytes: Uint8Array,
    feeds: Record<string, ort.Tensor>,
): Promise<Float32Array> {
    const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
    try {
        const out = await s.run(feeds);
        return out.image.data as Float32Array;
    } finally {
        await s.release();
    }
}
