/**
 * Synchronous matrix products through onnxruntime's CPU kernels (MLAS), for the wasm backend's
 * heavy kernels (ort-kernels.ts). tfjs runs kernels synchronously (autodiff calls them while it
 * walks its tape) but onnxruntime-node's public `run` returns a Promise, although the native
 * session behind it runs synchronously; this module drives that native session directly
 * (`onnxruntime-node/dist/binding`, the object the package's own `run` wraps; package.json pins
 * 1.31.1, and a self-check at start proves the run synchronous).
 *
 * Why: on the project machine a conv's GEMM runs at 14-22 GFLOP/s in XNNPACK at wasm's 128-bit
 * width (weights repacked on every change, as in training) and at 140-150 GFLOP/s in MLAS with
 * AVX-512 on 2 threads (docs/engine.md, "wasm's matrix kernels on onnxruntime").
 */
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import { GraphBuilder } from './onnx/graph';
import { createOrtConv, type OrtConv } from './ort-conv';
import { ortModule, type OrtModule } from './ort-module';

// onnxruntime-node is loaded when an engine starts (ort-module.ts), so that a package that does
// not load leaves wasm's own kernels (and `doctor` can say why).
const load = createRequire(__filename);

export type { OrtModule };

/** The native session's synchronous surface (onnxruntime-node 1.31, dist/binding). */
export interface NativeSession {
    loadModel(
        buffer: ArrayBufferLike,
        offset: number,
        length: number,
        options: object,
    ): Promise<void> | void;
    run(
        feeds: Record<string, Ort.Tensor>,
        fetches: Record<string, Ort.Tensor | null>,
        options: object,
    ): Record<string, unknown>;
    dispose(): void;
}

interface NativeBinding {
    binding: { InferenceSession: new () => NativeSession };
    initOrt(): void;
}

/** Which operand is transposed, and whether a bias row is added: one session each. */
type Variant = 'nn' | 'nt' | 'tn' | 'tt' | 'nnBias';

const VARIANTS: Variant[] = ['nn', 'nt', 'tn', 'tt', 'nnBias'];

/** A row-major matrix: data (at least rows x cols values from its start), rows, cols. */
export interface Mat {
    data: Float32Array;
    rows: number;
    cols: number;
}

/** Synchronous GEMMs and table lookups on onnxruntime's CPU kernels. */
export interface OrtEngine {
    /** Intra-op threads onnxruntime uses. */
    readonly threads: number;
    /** Convolutions and their gradients over patch indices (ort-conv.ts). */
    readonly conv: OrtConv;
    /**
     * out = op(a) x op(b) (+ bias per column), op transposing when asked; `out` must hold
     * exactly rows(op(a)) x cols(op(b)) values. Throws on mismatched shapes.
     */
    gemm(
        a: Mat,
        b: Mat,
        transA: boolean,
        transB: boolean,
        out: Float32Array,
        bias?: Float32Array,
    ): void;
    /**
     * out [P, cols] = sum over t of table[idx[t * P + p]]: `taps` blocks of P row indices
     * (the one-hot lookups, onehot.ts).
     */
    gatherSum(table: Mat, idx: Int32Array, taps: number, out: Float32Array): void;
    /** The adjoint: out [rows, cols] = sum of dy[p] into row idx[t * P + p], every t. */
    scatterAdd(dy: Mat, idx: Int32Array, taps: number, out: Mat): void;
    dispose(): void;
}

function gatherSumModel(): Uint8Array {
    const g = new GraphBuilder();
    const rows = g.op('Gather', ['table', 'idx'], { axis: 0 });
    g.rename(g.op('ReduceSum', [rows, g.intInit('axis0', [1], [0])], { keepdims: 0 }), 'y');
    return g.encode(
        [
            { name: 'table', type: 'float32', dims: ['r', 'c'] },
            { name: 'idx', type: 'int32', dims: ['t', 'p'] },
        ],
        [{ name: 'y', type: 'float32', dims: ['p', 'c'] }],
        {},
        '',
        'gather_sum',
    );
}

/**
 * ScatterND with reduction 'add' (opset 16) of dy repeated once per tap. Its session runs on
 * one thread: onnxruntime's CPU ScatterND splits the updates across threads and adds without
 * atomics, so repeated indices (the point here) lose updates on two threads (measured: most
 * values wrong with 100k updates into one row).
 */
function scatterAddModel(): Uint8Array {
    const g = new GraphBuilder();
    const taps = g.op('Shape', ['idx'], { start: 0, end: 1 });
    const reps = g.op('Concat', [taps, g.intInit('one', [1], [1])], { axis: 0 });
    const updates = g.op('Tile', ['dy', reps]);
    const where = g.op('Reshape', [
        g.op('Cast', ['idx'], { to: 7 }),
        g.intInit('col', [2], [-1, 1]),
    ]);
    g.rename(g.op('ScatterND', ['zeros', where, updates], { reduction: 'add' }), 'y');
    return g.encode(
        [
            { name: 'zeros', type: 'float32', dims: ['r', 'c'] },
            { name: 'idx', type: 'int32', dims: ['t', 'p'] },
            { name: 'dy', type: 'float32', dims: ['p', 'c'] },
        ],
        [{ name: 'y', type: 'float32', dims: ['r', 'c'] }],
        {},
        '',
        'scatter_add',
        16,
    );
}

function gemmModel(v: Variant): Uint8Array {
    const g = new GraphBuilder();
    const inputs = v === 'nnBias' ? ['a', 'b', 'c'] : ['a', 'b'];
    const y = g.op('Gemm', inputs, { transA: v[0] === 't' ? 1 : 0, transB: v[1] === 't' ? 1 : 0 });
    g.rename(y, 'y');
    const specs = [
        { name: 'a', type: 'float32' as const, dims: ['a0', 'a1'] },
        { name: 'b', type: 'float32' as const, dims: ['b0', 'b1'] },
    ];
    if (v === 'nnBias') specs.push({ name: 'c', type: 'float32', dims: ['n'] });
    return g.encode(specs, [{ name: 'y', type: 'float32', dims: ['m', 'n'] }], {}, '', `gemm_${v}`);
}

/** onnxruntime takes no SharedArrayBuffer (threaded wasm's heap): such views are copied. */
export function plain(a: Float32Array): Float32Array {
    return a.buffer instanceof SharedArrayBuffer ? a.slice() : a;
}

/**
 * Starts the sessions (one per variant). Throws when the native binding is not where
 * onnxruntime-node 1.31 has it; callers then keep the wasm kernels.
 */
export async function createOrtEngine(threads: number): Promise<OrtEngine> {
    const ort = ortModule();
    const native = load('onnxruntime-node/dist/binding') as NativeBinding;
    if (
        typeof native.binding?.InferenceSession !== 'function' ||
        typeof native.initOrt !== 'function'
    )
        throw new Error("onnxruntime-node's native binding is not where version 1.31 has it");
    native.initOrt();
    const options = {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        // Spinning threads take the core the wasm kernels run on between two calls: with
        // spinning the batch-4 step took 3.0 s instead of 1.13 s.
        extra: { session: { 'intra_op.allow_spinning': '0' } },
    };
    const opened: NativeSession[] = [];
    /** A session; `serial` ones (ScatterND with repeated indices) run on one thread. */
    const open = async (bytes: Uint8Array, serial = false) => {
        const s = new native.binding.InferenceSession();
        const o = serial ? { ...options, intraOpNumThreads: 1 } : options;
        await s.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, o);
        opened.push(s);
        return s;
    };
    const sessions = new Map<Variant, NativeSession>();
    for (const v of VARIANTS) sessions.set(v, await open(gemmModel(v)));
    const extra = new Map<string, NativeSession>([
        ['gatherSum', await open(gatherSumModel())],
        ['scatterAdd', await open(scatterAddModel(), true)],
    ]);
    const tensor = (m: Mat, size: number) =>
        new ort.Tensor('float32', plain(m.data.subarray(0, size)), [m.rows, m.cols]);
    const core: Omit<OrtEngine, 'conv'> = {
        threads,
        gemm(a, b, transA, transB, out, bias) {
            const m = transA ? a.cols : a.rows;
            const k = transA ? a.rows : a.cols;
            const k2 = transB ? b.cols : b.rows;
            const n = transB ? b.rows : b.cols;
            if (k !== k2 || out.length !== m * n)
                throw new Error(`gemm: [${m}x${k}] x [${k2}x${n}] into ${out.length} values`);
            if (bias && (transA || transB)) throw new Error('gemm: a bias only without transposes');
            const v: Variant = bias
                ? 'nnBias'
                : (`${transA ? 't' : 'n'}${transB ? 't' : 'n'}` as Variant);
            const feeds: Record<string, Ort.Tensor> = {
                a: tensor(a, a.rows * a.cols),
                b: tensor(b, b.rows * b.cols),
            };
            if (bias) feeds.c = new ort.Tensor('float32', plain(bias), [n]);
            const shared = out.buffer instanceof SharedArrayBuffer;
            const target = shared ? new Float32Array(out.length) : out;
            sessions.get(v)!.run(feeds, { y: new ort.Tensor('float32', target, [m, n]) }, {});
            if (shared) out.set(target);
        },
        gatherSum(table, idx, taps, out) {
            const p = idx.length / taps;
            const feeds = {
                table: tensor(table, table.rows * table.cols),
                idx: new ort.Tensor('int32', idx, [taps, p]),
            };
            const y = new ort.Tensor('float32', out, [p, table.cols]);
            extra.get('gatherSum')!.run(feeds, { y }, {});
        },
        scatterAdd(dy, idx, taps, out) {
            const feeds = {
                zeros: new ort.Tensor('float32', new Float32Array(out.rows * out.cols), [
                    out.rows,
                    out.cols,
                ]),
                idx: new ort.Tensor('int32', idx, [taps, idx.length / taps]),
                dy: tensor(dy, dy.rows * dy.cols),
            };
            const y = new ort.Tensor('float32', out.data, [out.rows, out.cols]);
            extra.get('scatterAdd')!.run(feeds, { y }, {});
        },
        dispose() {
            for (const s of opened) s.dispose();
            opened.length = 0;
            sessions.clear();
            extra.clear();
        },
    };
    const conv = await createOrtConv(ort, open, core.gemm.bind(core));
    selfCheck(core);
    return { ...core, conv };
}

/**
 * A 2x2 product whose result must be in the output when `run` returns: the kernels rely on
 * the native session answering synchronously (true of onnxruntime-node 1.31; a version that
 * returned before writing would otherwise give silent garbage).
 */
function selfCheck(e: Omit<OrtEngine, 'conv'>): void {
    const out = new Float32Array(4);
    const a = { data: Float32Array.of(1, 2, 3, 4), rows: 2, cols: 2 };
    const b = { data: Float32Array.of(5, 6, 7, 8), rows: 2, cols: 2 };
    e.gemm(a, b, false, false, out);
    if (out.join(',') !== '19,22,43,50')
        throw new Error(
            `onnxruntime's synchronous run gave [${out.join(', ')}] for a known product`,
        );
}
