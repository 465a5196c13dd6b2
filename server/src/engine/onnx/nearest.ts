/**
 * Index rules for nearest-neighbour resizing, computed ahead of time so the ONNX graph can
 * use Gather with constant indices and match PyTorch bit for bit at any size pair.
 */
import { nearestIndices } from '../../data/resample';

/**
 * Source index PyTorch's `F.interpolate(mode='nearest', size=out)` reads for each output
 * position: `min(floor(fround(d * fround(in/out))), in - 1)`. The float32 rounding is what
 * makes it differ from exact arithmetic for some size pairs (e.g. 26 -> 22 at d = 11).
 */
export function torchNearestIndex(inSize: number, outSize: number): number[] {
    const scale = Math.fround(inSize / outSize);
    return Array.from({ length: outSize }, (_, d) =>
        Math.min(Math.floor(Math.fround(d * scale)), inSize - 1),
    );
}

/**
 * Source index PIL's NEAREST resize reads (the data pipeline's rule for label and instance
 * maps: pixel centres, accumulated in double). Delegates to the data pipeline so the preview
 * and training resize masks identically; positions past the edge clamp to the last pixel.
 */
export function pilNearestIndex(inSize: number, outSize: number): number[] {
    return Array.from(nearestIndices(inSize, outSize), (v) => (v < 0 ? inSize - 1 : v));
}

/** Python's `round()` for the latent height: ties go to the even neighbour. */
export function roundHalfEven(x: number): number {
    const f = Math.floor(x);
    const diff = x - f;
    if (diff > 0.5) return f + 1;
    if (diff < 0.5) return f;
    return f % 2 === 0 ? f : f + 1;
}
