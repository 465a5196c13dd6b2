/**
 * Recognising out-of-memory failures and suggesting a batch size or crop that would fit.
 * Activation memory grows with batch x crop^2, so halving the batch halves it and a crop
 * 0.7x as wide roughly halves it too.
 */
import type { RunOptions } from '../engine/options';

const OOM_PATTERNS = [
    /out of memory/i,
    /\bOOM\b/,
    /failed to allocate/i,
    /bad_alloc/i,
    /allocation failed/i,
    /can(?:not|'t| ?not) allocate/i,
    /could not allocate/i,
    /array buffer allocation/i,
    /Invalid typed array length/i,
    // The wasm backend's heap (at most 4 GB, wasm32) running out: Emscripten aborts, or a
    // kernel reads past the memory it could not grow.
    /\bAborted\(\)/,
    /memory access out of bounds/i,
];

export function isOutOfMemory(err: unknown): boolean {
    const text = err instanceof Error ? `${err.name} ${err.message}` : String(err);
    return OOM_PATTERNS.some((re) => re.test(text));
}

/** How many times the crop can be halved: the generator starts at crop / 2^n. */
function upsamplingLayers(opts: RunOptions): number {
    return { normal: 5, more: 6, most: 7 }[opts.generator.upsampling];
}

/** The message for an out-of-memory failure at `step`. */
export function outOfMemoryMessage(opts: RunOptions, step: number): string {
    const batch = opts.batchSize;
    const crop = opts.dataset.cropSize;
    const where =
        `Training ran out of memory at step ${step} with batch ${batch} and crop ${crop} ` +
        "(on the wasm backend, tfjs's heap holds at most 4 GB).";
    if (batch > 1) {
        return `${where} Try batch = ${Math.max(1, Math.floor(batch / 2))} (half the activations), then resume.`;
    }
    const unit = 2 ** upsamplingLayers(opts);
    const smaller = Math.floor((crop * 0.7) / unit) * unit;
    if (smaller >= unit) {
        return `${where} Batch is already 1; try crop = ${smaller} (a multiple of ${unit}, about half the memory), or device = cpu if the GPU is small.`;
    }
    return `${where} Batch and crop are already minimal; try a smaller ngf or device = cpu.`;
}
