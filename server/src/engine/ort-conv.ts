/**
 * Convolutions as onnxruntime graphs over a patch index (patch-index.ts): the patch matrix is
 * a Gather of input pixels (row `pixels` is a zero row for the padding), so a conv is
 * Gather + MatMul, its filter gradient Gather + Gemm(transA), and its input gradient
 * Gemm(transB) + ScatterND(add) back onto the pixels. All in C++ on onnxruntime's threads:
 * building the patch matrix in JavaScript cost ~5 ns a value (~0.2 s of a batch-4 step).
 */
import { GraphBuilder } from './onnx/graph';
import { plain, type Mat, type NativeSession, type OrtModule } from './ort-engine';

type OrtTensor = InstanceType<OrtModule['Tensor']>;

/** NHWC pixels as rows: data [pixels, channels]. */
export interface PixelRows {
    data: Float32Array;
    pixels: number;
    channels: number;
}

/** Conv graphs; `idx` is [rows, taps] (patch-index.ts), weights HWIO as [taps * cin, cout]. */
export interface OrtConv {
    /** y [rows, cout] = patches(x) W (+ b). */
    forward(
        x: PixelRows,
        idx: Int32Array,
        taps: number,
        w: Float32Array,
        cout: number,
        y: Float32Array,
        b?: Float32Array,
    ): void;
    /** dW [taps * cin, cout] = patches(x)^T dy. */
    filterGrad(
        x: PixelRows,
        idx: Int32Array,
        taps: number,
        dy: Float32Array,
        cout: number,
        dw: Float32Array,
    ): void;
    /** dx [pixels, cin] = scatter-add of dy W^T onto the pixels each patch read. */
    inputGrad(
        dy: Float32Array,
        idx: Int32Array,
        taps: number,
        w: Float32Array,
        cout: number,
        dx: PixelRows,
    ): void;
    /** HWIO [k, k, cin, cout] rotated 180 degrees with in/out swapped: [k, k, cout, cin]. */
    flipSwap(w: Float32Array, dims: [number, number, number, number], out: Float32Array): void;
}

function flipSwapModel(): Uint8Array {
    const g = new GraphBuilder();
    const big = 2 ** 31;
    const back = g.op('Slice', [
        'w',
        g.intInit('starts', [2], [-1, -1]),
        g.intInit('ends', [2], [-big, -big]),
        g.intInit('axes', [2], [0, 1]),
        g.intInit('steps', [2], [-1, -1]),
    ]);
    g.rename(g.op('Transpose', [back], { perm: [0, 1, 3, 2] }), 'y');
    return g.encode(
        [f32('w', ['h', 'k', 'i', 'o'])],
        [f32('y', ['h', 'k', 'o', 'i'])],
        {},
        '',
        'flip_swap',
    );
}

const f32 = (name: string, dims: (number | string)[]) => ({ name, type: 'float32' as const, dims });

/** Gather of the patch rows of `x` (a zero row appended for the padding): [rows, taps * cin]. */
function patches(g: GraphBuilder): string {
    const xz = g.op('Pad', ['x', g.intInit('pads', [4], [0, 0, 1, 0])]);
    const rows = g.op('Gather', [xz, 'idx'], { axis: 0 });
    return g.op('Reshape', [rows, g.intInit('flat', [2], [0, -1])]);
}

function forwardModel(bias: boolean): Uint8Array {
    const g = new GraphBuilder();
    const p = patches(g);
    g.rename(bias ? g.op('Gemm', [p, 'w', 'b']) : g.op('MatMul', [p, 'w']), 'y');
    const inputs = [
        f32('x', ['p', 'c']),
        { name: 'idx', type: 'int32' as const, dims: ['m', 't'] },
        f32('w', ['k', 'n']),
    ];
    if (bias) inputs.push(f32('b', ['n']));
    return g.encode(inputs, [f32('y', ['m', 'n'])], {}, '', 'conv');
}

function filterGradModel(): Uint8Array {
    const g = new GraphBuilder();
    g.rename(g.op('Gemm', [patches(g), 'dy'], { transA: 1 }), 'dw');
    return g.encode(
        [
            f32('x', ['p', 'c']),
            { name: 'idx', type: 'int32', dims: ['m', 't'] },
            f32('dy', ['m', 'n']),
        ],
        [f32('dw', ['k', 'n'])],
        {},
        '',
        'conv_filter_grad',
    );
}

/**
 * The scatter half of the input gradient: `cols` [rows * taps, cin] added onto the pixel rows
 * each patch read. ScatterND's reduction needs opset 16; its session runs on one thread (see
 * scatterAddModel in ort-engine.ts: its threads race on repeated indices). `size` is
 * [pixels + 1, cin] (the zero row last, dropped).
 */
function scatterModel(): Uint8Array {
    const g = new GraphBuilder();
    const at = g.op('Reshape', [g.op('Cast', ['idx'], { to: 7 }), g.intInit('col', [2], [-1, 1])]);
    const zeros = g.op('ConstantOfShape', ['size']);
    const sum = g.op('ScatterND', [zeros, at, 'cols'], { reduction: 'add' });
    const zero = g.intInit('zero', [1], [0]);
    g.rename(g.op('Slice', [sum, zero, g.intInit('last', [1], [-1]), zero]), 'dx');
    return g.encode(
        [
            f32('cols', ['mt', 'c']),
            { name: 'idx', type: 'int32', dims: ['m', 't'] },
            { name: 'size', type: 'int64', dims: [2] },
        ],
        [f32('dx', ['p', 'c'])],
        {},
        '',
        'conv_input_grad_scatter',
        16,
    );
}

/** Starts the conv sessions with `open` (ort-engine.ts's session factory). */
export async function createOrtConv(
    ort: OrtModule,
    open: (model: Uint8Array, serial?: boolean) => Promise<NativeSession>,
    gemm: (a: Mat, b: Mat, transA: boolean, transB: boolean, out: Float32Array) => void,
): Promise<OrtConv> {
    const plainConv = await open(forwardModel(false));
    const biasConv = await open(forwardModel(true));
    const dW = await open(filterGradModel());
    const scatter = await open(scatterModel(), true);
    let cols = new Float32Array(0);
    const flip = await open(flipSwapModel());
    const t = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', plain(data), dims);
    // Outputs into threaded wasm's shared heap go through a copy (onnxruntime takes no SAB).
    const into = (data: Float32Array, dims: number[], run: (y: OrtTensor) => void) => {
        const shared = data.buffer instanceof SharedArrayBuffer;
        const target = shared ? new Float32Array(data.length) : data;
        run(new ort.Tensor('float32', target, dims));
        if (shared) data.set(target);
    };
    const ix = (idx: Int32Array, taps: number) =>
        new ort.Tensor('int32', idx, [idx.length / taps, taps]);
    return {
        forward(x, idx, taps, w, cout, y, b) {
            const feeds: Record<string, OrtTensor> = {
                x: t(x.data, [x.pixels, x.channels]),
                idx: ix(idx, taps),
                w: t(w, [taps * x.channels, cout]),
            };
            if (b) feeds.b = t(b, [cout]);
            into(y, [idx.length / taps, cout], (out) =>
                (b ? biasConv : plainConv).run(feeds, { y: out }, {}),
            );
        },
        filterGrad(x, idx, taps, dy, cout, dw) {
            const feeds = {
                x: t(x.data, [x.pixels, x.channels]),
                idx: ix(idx, taps),
                dy: t(dy, [idx.length / taps, cout]),
            };
            into(dw, [taps * x.channels, cout], (out) => dW.run(feeds, { dw: out }, {}));
        },
        flipSwap(w, dims, out) {
            const [kh, kw, cin, cout] = dims;
            into(out, [kh, kw, cout, cin], (y) => flip.run({ w: t(w, dims) }, { y }, {}));
        },
        inputGrad(dy, idx, taps, w, cout, dx) {
            const rows = idx.length / taps;
            const k = taps * dx.channels;
            if (cols.length < rows * k) cols = new Float32Array(rows * k);
            const c = cols.subarray(0, rows * k);
            gemm({ data: dy, rows, cols: cout }, { data: w, rows: k, cols: cout }, false, true, c);
            const size = BigInt64Array.of(BigInt(dx.pixels + 1), BigInt(dx.channels));
            const feeds = {
                cols: t(c, [rows * taps, dx.channels]),
                idx: ix(idx, taps),
                size: new ort.Tensor('int64', size, [2]),
            };
            into(dx.data, [dx.pixels, dx.channels], (out) => scatter.run(feeds, { dx: out }, {}));
        },
    };
}
