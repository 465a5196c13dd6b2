/**
 * Weights and buffers addressed by the reference's PyTorch `state_dict` names, in PyTorch
 * layouts (conv OIHW, linear [out, in], biases [out]). This is the one exchange format between
 * the tfjs networks, checkpoints (safetensors) and the ONNX exporter.
 */

/** One tensor: its shape and C-order float32 values. */
export interface StateTensor {
    shape: number[];
    data: Float32Array;
}

/** Name -> tensor, with the reference's `state_dict` names. */
export type StateDict = Map<string, StateTensor>;

/** Number of elements a shape holds (1 for a scalar). */
export function numel(shape: readonly number[]): number {
    return shape.reduce((a, b) => a * b, 1);
}

/**
 * The entries whose names start with `prefix`, with the prefix removed; e.g.
 * `subState(s, 'netG.')` turns a whole-checkpoint dict into the generator's own.
 */
export function subState(state: StateDict, prefix: string): StateDict {
    const out: StateDict = new Map();
    for (const [k, v] of state) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), v);
    return out;
}

/** Copies `part` into `into` with `prefix` before every name. */
export function addPrefixed(into: StateDict, prefix: string, part: StateDict): StateDict {
    for (const [k, v] of part) into.set(prefix + k, v);
    return into;
}
