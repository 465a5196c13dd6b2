/**
 * The wasm backend's matrix kernels on onnxruntime's CPU GEMM (ort-engine.ts): BatchMatMul,
 * Conv2D, FusedConv2D (bias, no activation), Conv2DBackpropInput and the Conv2DBackpropFilter
 * wasm lacks (that one at every size). Every other kernel, and these below a size where the
 * call costs more than it saves, stay wasm's own, except Identity: tfjs clones every tensor it
 * saves for a gradient, and wasm's Identity copies the data (~2,000 copies per generator
 * step), where the cpu backend shares it by reference count; here wasm shares it too.
 * Tensors stay in the wasm heap: inputs are read and outputs written there in place; a conv
 * and its gradients are onnxruntime graphs over a patch index (ort-conv.ts, patch-index.ts),
 * in row chunks of bounded size. If onnxruntime fails in a call, wasm's own kernel runs it.
 *
 * Registered over wasm's kernels under the same names, so autodiff, tf.tidy and memory
 * accounting see ordinary wasm tensors; uninstallOrtKernels() restores wasm's originals.
 */
import * as tf from '@tensorflow/tfjs';
import { patchCols, patchIndex, patchRows, type ConvGeometry } from './patch-index';
import type { OrtEngine } from './ort-engine';

type Info = tf.TensorInfo;
type Args = Parameters<tf.KernelFunc>[0];

/** The BackendWasm methods used here (public in tfjs-backend-wasm 4.22). */
interface WasmHeap {
    makeOutput(shape: number[], dtype: tf.DataType): Info;
    typedArrayFromHeap(info: Info): Float32Array;
    incRef(dataId: tf.DataId): void;
    disposeData(dataId: tf.DataId): boolean;
}

const KERNELS = [
    'BatchMatMul',
    'Conv2D',
    'FusedConv2D',
    'Conv2DBackpropInput',
    'Conv2DBackpropFilter',
    'Identity',
] as const;
type KernelName = (typeof KERNELS)[number];

/** Below this many multiply-adds wasm's own kernel is faster than a call into onnxruntime. */
const MIN_MACS = 1 << 16;

let engine: OrtEngine | null = null;
const originals = new Map<KernelName, tf.KernelConfig | undefined>();
const calls = new Map<KernelName, number>();

/** Largest patch matrix (floats) one onnxruntime call builds; bigger convs go in row chunks. */
let chunkFloats = 1 << 23;
let scratch = new Float32Array(0);

function buf(n: number): Float32Array {
    if (scratch.length < n) scratch = new Float32Array(n);
    return scratch.subarray(0, n);
}

function count(name: KernelName): void {
    calls.set(name, (calls.get(name) ?? 0) + 1);
}

function geometry(info: tf.backend_util.Conv2DInfo): ConvGeometry | null {
    if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
    if (info.dataFormat !== 'channelsLast') return null;
    return {
        batch: info.batchSize,
        inH: info.inHeight,
        inW: info.inWidth,
        inC: info.inChannels,
        kh: info.filterHeight,
        kw: info.filterWidth,
        outC: info.outChannels,
        outH: info.outHeight,
        outW: info.outWidth,
        strideH: info.strideHeight,
        strideW: info.strideWidth,
        padTop: info.padInfo.top,
        padLeft: info.padInfo.left,
    };
}

function convInfo(
    xShape: number[],
    wShape: number[],
    attrs: tf.NamedAttrMap,
): tf.backend_util.Conv2DInfo {
    const format = tf.backend_util.convertConv2DDataFormat(
        (attrs.dataFormat as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC',
    );
    return tf.backend_util.computeConv2DInfo(
        xShape as [number, number, number, number],
        wShape as [number, number, number, number],
        attrs.strides as number | [number, number],
        (attrs.dilations as number | [number, number] | undefined) ?? 1,
        attrs.pad as 'valid' | 'same' | number,
        attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
        false,
        format,
    );
}

function macs(g: ConvGeometry): number {
    return patchRows(g) * patchCols(g) * g.outC;
}

/** Output pixels per GEMM so that a chunk's patch matrix stays within chunkFloats. */
function rowsPerChunk(g: ConvGeometry): number {
    return Math.max(1, Math.floor(chunkFloats / patchCols(g)));
}

/**
 * A new wasm tensor filled by `fill` (given its heap view), released again if `fill` throws.
 * Views of other tensors are taken inside `fill`: the allocation may grow (and so replace)
 * the heap's buffer.
 */
function produce(bk: WasmHeap, shape: number[], fill: (out: Float32Array) => void): Info {
    const out = bk.makeOutput(shape, 'float32');
    try {
        fill(bk.typedArrayFromHeap(out));
        return out;
    } catch (e) {
        bk.disposeData(out.dataId);
        throw e;
    }
}

function gemmConv(bk: WasmHeap, x: Info, w: Info, g: ConvGeometry, bias?: Info): Info {
    return produce(bk, [g.batch, g.outH, g.outW, g.outC], (y) => {
        const b = bias ? bk.typedArrayFromHeap(bias) : undefined;
        convInto(bk.typedArrayFromHeap(x), bk.typedArrayFromHeap(w), g, y, b);
    });
}

/** y = conv(x, w) (+ b); w is HWIO, i.e. [kh * kw * inC, outC] row-major. */
function convInto(
    x: Float32Array,
    w: Float32Array,
    g: ConvGeometry,
    y: Float32Array,
    b?: Float32Array,
): void {
    const taps = g.kh * g.kw;
    const M = patchRows(g);
    const idx = patchIndex(g);
    const rows = { data: x, pixels: g.batch * g.inH * g.inW, channels: g.inC };
    const step = rowsPerChunk(g);
    for (let m0 = 0; m0 < M; m0 += step) {
        const m1 = Math.min(M, m0 + step);
        const out = y.subarray(m0 * g.outC, m1 * g.outC);
        engine!.conv.forward(rows, idx.subarray(m0 * taps, m1 * taps), taps, w, g.outC, out, b);
    }
}

/**
 * dx of a conv. Stride 1 with at most as many outputs as inputs: a conv of dy with the flipped
 * filter (its patches read outC channels per tap). Otherwise dy x W^T scatter-added back onto
 * the input pixels (inC channels per tap): the smaller patch matrix in each case.
 */
function gemmInputGrad(bk: WasmHeap, dy: Info, w: Info, g: ConvGeometry): Info {
    return produce(bk, [g.batch, g.inH, g.inW, g.inC], (dx) => inputGradInto(bk, dy, w, g, dx));
}

function inputGradInto(bk: WasmHeap, dy: Info, w: Info, g: ConvGeometry, dx: Float32Array): void {
    const dyv = bk.typedArrayFromHeap(dy);
    const wv = bk.typedArrayFromHeap(w);
    if (g.strideH === 1 && g.strideW === 1 && g.outC <= g.inC) {
        const back: ConvGeometry = {
            ...g,
            inH: g.outH,
            inW: g.outW,
            inC: g.outC,
            outH: g.inH,
            outW: g.inW,
            outC: g.inC,
            padTop: g.kh - 1 - g.padTop,
            padLeft: g.kw - 1 - g.padLeft,
        };
        const flipped = buf(wv.length);
        engine!.conv.flipSwap(wv, [g.kh, g.kw, g.inC, g.outC], flipped);
        convInto(dyv, flipped, back, dx);
        return;
    }
    const taps = g.kh * g.kw;
    const M = patchRows(g);
    const idx = patchIndex(g);
    const step = rowsPerChunk(g);
    const pixels = { data: dx, pixels: g.batch * g.inH * g.inW, channels: g.inC };
    // Chunks after the first add up in a scratch copy.
    const part = step < M ? { ...pixels, data: buf(dx.length) } : pixels;
    for (let m0 = 0; m0 < M; m0 += step) {
        const m1 = Math.min(M, m0 + step);
        const d = dyv.subarray(m0 * g.outC, m1 * g.outC);
        engine!.conv.inputGrad(
            d,
            idx.subarray(m0 * taps, m1 * taps),
            taps,
            wv,
            g.outC,
            m0 === 0 ? pixels : part,
        );
        if (m0 > 0) for (let i = 0; i < dx.length; i++) dx[i] += part.data[i];
    }
}

function gemmFilterGrad(bk: WasmHeap, x: Info, dy: Info, g: ConvGeometry): Info {
    return produce(bk, [g.kh, g.kw, g.inC, g.outC], (dw) => filterGradInto(bk, x, dy, g, dw));
}

function filterGradInto(bk: WasmHeap, x: Info, dy: Info, g: ConvGeometry, dw: Float32Array): void {
    const xv = bk.typedArrayFromHeap(x);
    const dyv = bk.typedArrayFromHeap(dy);
    const taps = g.kh * g.kw;
    const M = patchRows(g);
    const idx = patchIndex(g);
    const step = rowsPerChunk(g);
    const rows = { data: xv, pixels: g.batch * g.inH * g.inW, channels: g.inC };
    const part = step < M ? buf(dw.length) : dw;
    for (let m0 = 0; m0 < M; m0 += step) {
        const m1 = Math.min(M, m0 + step);
        const d = dyv.subarray(m0 * g.outC, m1 * g.outC);
        const at = idx.subarray(m0 * taps, m1 * taps);
        engine!.conv.filterGrad(rows, at, taps, d, g.outC, m0 === 0 ? dw : part);
        if (m0 > 0) for (let i = 0; i < dw.length; i++) dw[i] += part[i];
    }
}

function fallback(name: KernelName, args: Args): Info | Info[] {
    const orig = originals.get(name);
    if (!orig) throw new Error(`${name}: no wasm kernel to fall back to for this case`);
    return orig.kernelFunc(args);
}

function batchMatMul(args: Args): Info | Info[] {
    const { a, b } = args.inputs as { a: Info; b: Info };
    const transA = Boolean(args.attrs?.transposeA);
    const transB = Boolean(args.attrs?.transposeB);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transA ? a.shape[ra - 2] : a.shape[ra - 1];
    const n = transB ? b.shape[rb - 2] : b.shape[rb - 1];
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(outerA);
    const batchB = tf.util.sizeFromShape(outerB);
    const batch = Math.max(batchA, batchB);
    const innerB = transB ? b.shape[rb - 1] : b.shape[rb - 2];
    // Equal batch shapes, or one side a single matrix; other broadcasts stay wasm's.
    const same = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
    const plainBatch = same || batchA === 1 || batchB === 1;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || k !== innerB || !plainBatch)
        return fallback('BatchMatMul', args);
    if (batch * m * k * n < MIN_MACS) return fallback('BatchMatMul', args);
    count('BatchMatMul');
    const bk = args.backend as WasmHeap;
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(
        a.shape.slice(0, -2),
        b.shape.slice(0, -2),
    );
    return produce(bk, [...outer, m, n], (y) => {
        const av = bk.typedArrayFromHeap(a);
        const bv = bk.typedArrayFromHeap(b);
        for (let i = 0; i < batch; i++) {
            const am = {
                data: av.subarray((batchA === 1 ? 0 : i) * m * k),
                rows: transA ? k : m,
                cols: transA ? m : k,
            };
            const bm = {
                data: bv.subarray((batchB === 1 ? 0 : i) * k * n),
                rows: transB ? n : k,
                cols: transB ? k : n,
            };
            engine!.gemm(am, bm, transA, transB, y.subarray(i * m * n, (i + 1) * m * n));
        }
    });
}

function conv2D(args: Args): Info | Info[] {
    const { x, filter } = args.inputs as { x: Info; filter: Info };
    const g = geometry(convInfo(x.shape, filter.shape, args.attrs ?? {}));
    if (!g || x.dtype !== 'float32' || macs(g) < MIN_MACS) return fallback('Conv2D', args);
    count('Conv2D');
    return gemmConv(args.backend as WasmHeap, x, filter, g);
}

function fusedConv2D(args: Args): Info | Info[] {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<
        string,
        Info | undefined
    >;
    const attrs = args.attrs ?? {};
    const g = geometry(convInfo(x!.shape, filter!.shape, attrs));
    const plainBias = bias === undefined || tf.util.sizeFromShape(bias.shape) === g?.outC;
    const linear = (attrs.activation ?? 'linear') === 'linear' && !preluActivationWeights;
    if (!g || !linear || !plainBias || macs(g) < MIN_MACS) return fallback('FusedConv2D', args);
    count('FusedConv2D');
    return gemmConv(args.backend as WasmHeap, x!, filter!, g, bias);
}

function conv2DBackpropInput(args: Args): Info | Info[] {
    const { dy, filter } = args.inputs as { dy: Info; filter: Info };
    const attrs = args.attrs ?? {};
    const g = geometry(convInfo(attrs.inputShape as number[], filter.shape, attrs));
    if (!g || macs(g) < MIN_MACS) return fallback('Conv2DBackpropInput', args);
    count('Conv2DBackpropInput');
    return gemmInputGrad(args.backend as WasmHeap, dy, filter, g);
}

function conv2DBackpropFilter(args: Args): Info | Info[] {
    const { x, dy } = args.inputs as { x: Info; dy: Info };
    const attrs = args.attrs ?? {};
    const g = geometry(convInfo(x.shape, attrs.filterShape as number[], attrs));
    // wasm has no kernel of its own here: every size runs on onnxruntime.
    if (!g) throw new Error('Conv2DBackpropFilter: only NHWC without dilation on wasm');
    count('Conv2DBackpropFilter');
    return gemmFilterGrad(args.backend as WasmHeap, x, dy, g);
}

/** A second reference to the same data (tensors are immutable; disposal counts references). */
function identity(args: Args): Info | Info[] {
    const { x } = args.inputs as { x: Info };
    if (x.dtype === 'string') return fallback('Identity', args);
    (args.backend as WasmHeap).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** onnxruntime failures the kernels fell back from, by kernel (for tests and reports). */
const failures = new Map<string, string>();

/**
 * Runs an onnxruntime kernel; if onnxruntime fails (out of memory, an unexpected shape), the
 * step goes on with wasm's own kernel, and the first failure per kernel is kept for
 * ortKernelFailures(). Conv2DBackpropFilter has no wasm kernel: its failure says what to do.
 */
function guarded(name: KernelName, run: (args: Args) => Info | Info[]) {
    return (args: Args): Info | Info[] => {
        try {
            return run(args);
        } catch (e) {
            const why = e instanceof Error ? e.message : String(e);
            if (!originals.get(name))
                throw new Error(
                    `${name} on onnxruntime failed (${why}); set SPADE_ORT_KERNELS=0 to train ` +
                        "on wasm's own kernels",
                    { cause: e },
                );
            if (!failures.has(name)) failures.set(name, why);
            return fallback(name, args);
        }
    };
}

const FUNCS: Record<KernelName, (args: Args) => Info | Info[]> = {
    Identity: identity,
    BatchMatMul: guarded('BatchMatMul', batchMatMul),
    Conv2D: guarded('Conv2D', conv2D),
    FusedConv2D: guarded('FusedConv2D', fusedConv2D),
    Conv2DBackpropInput: guarded('Conv2DBackpropInput', conv2DBackpropInput),
    Conv2DBackpropFilter: guarded('Conv2DBackpropFilter', conv2DBackpropFilter),
};

/** Registers the kernels above for 'wasm' (replacing wasm's own, kept for small cases). */
export function installOrtKernels(gemm: OrtEngine): void {
    if (engine) uninstallOrtKernels();
    engine = gemm;
    for (const name of KERNELS) {
        const orig = tf.getKernel(name, 'wasm');
        originals.set(name, orig);
        if (orig) tf.unregisterKernel(name, 'wasm');
        tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: FUNCS[name] });
    }
}

/** Puts wasm's own kernels back (the GEMM engine is left to its owner). */
export function uninstallOrtKernels(): void {
    if (!engine) return;
    for (const name of KERNELS) {
        tf.unregisterKernel(name, 'wasm');
        const orig = originals.get(name);
        if (orig) tf.registerKernel(orig);
    }
    originals.clear();
    engine = null;
}

/** The GEMM engine the wasm kernels run on, or null when they are wasm's own. */
export function ortKernelEngine(): OrtEngine | null {
    return engine;
}

/** The first onnxruntime failure per kernel that fell back to wasm's own, by kernel. */
export function ortKernelFailures(): Record<string, string> {
    return Object.fromEntries(failures);
}

/** Calls that ran on onnxruntime so far, by kernel (tests check the path was taken). */
export function ortKernelCalls(): Record<string, number> {
    return Object.fromEntries(calls);
}

/** Sets the chunk bound (floats); tests use a small one to cover the chunked paths. */
export function setOrtChunkFloats(n: number): number {
    const old = chunkFloats;
    chunkFloats = n;
    return old;
}
