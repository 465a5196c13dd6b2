/**
 * Conv weights live in the layout the convolutions read (HWIO), while checkpoints, golden
 * vectors and the ONNX export use PyTorch's (OIHW, spectral-norm `weight_v` in (in, kh, kw)
 * order). Keeping them HWIO saves three weight-sized transposes per weight and training step
 * (wasm transposes such a permutation at ~5 ns a value: ~0.2 s a step at the benchmark's
 * config); the conversion happens here, only when state is read or written.
 */

/** Dims of one conv weight: kernel size, input and output channels. */
export interface ConvDims {
    k: number;
    cin: number;
    cout: number;
}

/** How a stored value's data maps to PyTorch's layout. */
export type TorchLayout = { kind: 'weight'; dims: ConvDims } | { kind: 'snV'; dims: ConvDims };

/** OIHW data -> HWIO data. */
export function oihwToHwioData(src: Float32Array, d: ConvDims): Float32Array {
    const { k, cin, cout } = d;
    const out = new Float32Array(src.length);
    for (let o = 0; o < cout; o++)
        for (let c = 0; c < cin; c++)
            for (let t = 0; t < k * k; t++)
                out[(t * cin + c) * cout + o] = src[(o * cin + c) * k * k + t];
    return out;
}

/** HWIO data -> OIHW data. */
export function hwioToOihwData(src: Float32Array, d: ConvDims): Float32Array {
    const { k, cin, cout } = d;
    const out = new Float32Array(src.length);
    for (let o = 0; o < cout; o++)
        for (let c = 0; c < cin; c++)
            for (let t = 0; t < k * k; t++)
                out[(o * cin + c) * k * k + t] = src[(t * cin + c) * cout + o];
    return out;
}

/** A spectral-norm v in PyTorch's (in, kh, kw) order -> the (kh, kw, in) order used here. */
export function torchVToHwio(src: Float32Array, d: ConvDims): Float32Array {
    const { k, cin } = d;
    const out = new Float32Array(src.length);
    for (let c = 0; c < cin; c++)
        for (let t = 0; t < k * k; t++) out[t * cin + c] = src[c * k * k + t];
    return out;
}

/** A spectral-norm v in (kh, kw, in) order -> PyTorch's (in, kh, kw). */
export function hwioVToTorch(src: Float32Array, d: ConvDims): Float32Array {
    const { k, cin } = d;
    const out = new Float32Array(src.length);
    for (let c = 0; c < cin; c++)
        for (let t = 0; t < k * k; t++) out[c * k * k + t] = src[t * cin + c];
    return out;
}

/** A stored value (shape, data) in PyTorch's layout. */
export function toTorch(
    layout: TorchLayout | undefined,
    t: { shape: number[]; data: Float32Array },
): { shape: number[]; data: Float32Array } {
    if (layout === undefined) return t;
    const { k, cin, cout } = layout.dims;
    if (layout.kind === 'weight')
        return { shape: [cout, cin, k, k], data: hwioToOihwData(t.data, layout.dims) };
    return { shape: t.shape, data: hwioVToTorch(t.data, layout.dims) };
}

/** PyTorch-layout data of a stored value -> the layout stored here (shape checked by the caller). */
export function fromTorch(layout: TorchLayout | undefined, data: Float32Array): Float32Array {
    if (layout === undefined) return data;
    return layout.kind === 'weight'
        ? oihwToHwioData(data, layout.dims)
        : torchVToHwio(data, layout.dims);
}

/** The PyTorch shape of a stored value of shape `shape`. */
export function torchShape(layout: TorchLayout | undefined, shape: number[]): number[] {
    if (layout?.kind !== 'weight') return shape;
    const { k, cin, cout } = layout.dims;
    return [cout, cin, k, k];
}
