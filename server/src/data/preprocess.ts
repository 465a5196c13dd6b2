/**
 * The reference's preprocessing modes: the resize target, the random crop position and flip,
 * and the transform chain (resize, crop, round to multiples of 32, fixed size, flip), applied
 * identically to the photo (PIL bicubic) and to label and instance maps (PIL nearest).
 *
 * One deliberate difference: `scale_shortside*` scales the short side to loadSize, which is what
 * the option says. The reference (NVlabs/SPADE#132) keeps the short side and rescales the long
 * side instead.
 */
import type { DatasetOptions } from '../engine/options';
import { cropIds, cropRaster, flipIds, flipRaster, resizeBicubic, resizeNearest } from './resample';
import type { IdMap, RasterU8, Window } from './resample';

/** The random choices for one sample. */
export interface SampleParams {
    cropX: number;
    cropY: number;
    flip: boolean;
}

/** A uniform source of numbers in [0, 1). */
export type Random = () => number;

/** The preprocessing options that matter here. */
export type PreprocessOptions = Pick<
    DatasetOptions,
    'preprocess' | 'loadSize' | 'cropSize' | 'aspectRatio' | 'flip'
>;

/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Size after the resize step of the mode (before cropping), for a w x h source. */
export function resizedSize(o: PreprocessOptions, w: number, h: number): [number, number] {
    const m = o.preprocess;
    if (m.includes('resize')) return [o.loadSize, o.loadSize];
    if (m.includes('scale_width')) {
        if (w === o.loadSize) return [w, h];
        return [o.loadSize, Math.floor((o.loadSize * h) / w)];
    }
    if (m.includes('scale_shortside')) {
        const ss = Math.min(w, h);
        if (ss === o.loadSize) return [w, h];
        const ls = Math.floor((o.loadSize * Math.max(w, h)) / ss);
        return w <= h ? [o.loadSize, ls] : [ls, o.loadSize];
    }
    return [w, h];
}

/** Final output size of the chain for a w x h source. */
export function outputSize(o: PreprocessOptions, w: number, h: number): [number, number] {
    const m = o.preprocess;
    if (m.includes('crop')) return [o.cropSize, o.cropSize];
    if (m === 'fixed') return [o.cropSize, roundHalfEven(o.cropSize / o.aspectRatio)];
    if (m === 'none') return [roundHalfEven(w / 32) * 32, roundHalfEven(h / 32) * 32];
    return resizedSize(o, w, h);
}

/** Random crop position (inclusive range as the reference's randint) and flip. */
export function drawParams(
    o: PreprocessOptions,
    w: number,
    h: number,
    rnd: Random,
    flipAllowed: boolean,
): SampleParams {
    const [nw, nh] = resizedSize(o, w, h);
    const randint = (hi: number) => Math.min(hi, Math.floor(rnd() * (hi + 1)));
    const cropX = randint(Math.max(0, nw - o.cropSize));
    const cropY = randint(Math.max(0, nh - o.cropSize));
    const flip = o.flip && flipAllowed ? rnd() > 0.5 : false;
    return { cropX, cropY, flip };
}

interface Ops<T> {
    width(t: T): number;
    height(t: T): number;
    resize(t: T, w: number, h: number): T;
    crop(t: T, x: number, y: number, w: number, h: number): T;
    flip(t: T): T;
    /** Resize and crop in one go, computing only the crop (same result as the two steps). */
    resizeCrop?(t: T, w: number, h: number, win: Window): T;
}

function chain<T>(ops: Ops<T>, src: T, o: PreprocessOptions, p: SampleParams): T {
    const m = o.preprocess;
    let t = src;
    const [rw, rh] = resizedSize(o, ops.width(t), ops.height(t));
    const resize = rw !== ops.width(t) || rh !== ops.height(t);
    const c = o.cropSize;
    if (resize && m.includes('crop') && ops.resizeCrop) {
        t = ops.resizeCrop(t, rw, rh, { x: p.cropX, y: p.cropY, w: c, h: c });
    } else {
        if (resize) t = ops.resize(t, rw, rh);
        if (m.includes('crop')) t = ops.crop(t, p.cropX, p.cropY, c, c);
    }
    if (m === 'none' || m === 'fixed') {
        const [ow, oh] = outputSize(o, ops.width(t), ops.height(t));
        if (ow !== ops.width(t) || oh !== ops.height(t)) t = ops.resize(t, ow, oh);
    }
    if (p.flip) t = ops.flip(t);
    return t;
}

const rasterOps: Ops<RasterU8> = {
    width: (t) => t.width,
    height: (t) => t.height,
    resize: resizeBicubic,
    crop: cropRaster,
    flip: flipRaster,
    resizeCrop: resizeBicubic,
};

const idOps: Ops<IdMap> = {
    width: (t) => t.width,
    height: (t) => t.height,
    resize: resizeNearest,
    crop: cropIds,
    flip: flipIds,
};

/** The photo's chain: bicubic resizes, zero padding, mirror. */
export function transformImage(src: RasterU8, o: PreprocessOptions, p: SampleParams): RasterU8 {
    return chain(rasterOps, src, o, p);
}

/** A label or instance map's chain: nearest resizes, id-0 padding, mirror. */
export function transformIds(src: IdMap, o: PreprocessOptions, p: SampleParams): IdMap {
    return chain(idOps, src, o, p);
}

const NORM = new Float32Array(256);
for (let v = 0; v < 256; v++) NORM[v] = Math.fround((Math.fround(v / 255) - 0.5) / 0.5);

/** RGB HWC bytes -> float32 CHW in [-1, 1], rounded as ToTensor + Normalize(0.5, 0.5) in float32. */
export function normaliseImage(src: RasterU8, out?: Float32Array, offset = 0): Float32Array {
    const { width: w, height: h, channels: ch } = src;
    const plane = w * h;
    const dst = out ?? new Float32Array(3 * plane);
    for (let c = 0; c < 3; c++) {
        const base = offset + c * plane;
        const sc = Math.min(c, ch - 1);
        for (let i = 0; i < plane; i++) dst[base + i] = NORM[src.data[i * ch + sc]];
    }
    return dst;
}
