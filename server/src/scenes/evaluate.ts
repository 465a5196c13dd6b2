/**
 * Per-class statistics that compare synthesized images with real ones over the same label maps:
 * colour (mean and spread in L*a*b*) and texture (mean gradient magnitude of L* inside each
 * class region). Statistics are pooled over every image of the set, so a model is judged on the
 * colours and textures it produces for a class, not on matching the real photo pixel by pixel.
 * Definitions are in docs/scenes.md.
 */
import { rgbToLab } from './color';

/** One image with its label map, all row-major at the same size. */
export interface LabelledImage {
    width: number;
    height: number;
    /** Interleaved 8-bit RGB. */
    rgb: Uint8Array;
    /** Class id per pixel; ids at or above the class count (e.g. 255) are left out. */
    label: ArrayLike<number>;
}

/** Pooled statistics of one class over a set of images. */
export interface ClassStats {
    /** Pixels labelled with the class. */
    pixels: number;
    /** Mean L*, a*, b*. */
    mean: [number, number, number];
    /** Standard deviation of L*, a*, b*. */
    std: [number, number, number];
    /**
     * Mean gradient magnitude of L* (central differences, L* units per pixel) over interior
     * pixels, those whose four neighbours carry the same class; undefined without any.
     */
    texture: number | undefined;
    /** Interior pixels the texture was measured on. */
    interior: number;
}

/** Running sums for every class; add images, then read `stats`. */
export class StatsAccumulator {
    private readonly n: Float64Array;
    private readonly sum: Float64Array;
    private readonly sq: Float64Array;
    /** Per-class offset (the class's first value) that keeps the variance sums well conditioned. */
    private readonly shift: Float64Array;
    private readonly grad: Float64Array;
    private readonly inner: Float64Array;

    constructor(readonly numClasses: number) {
        this.n = new Float64Array(numClasses);
        this.sum = new Float64Array(numClasses * 3);
        this.sq = new Float64Array(numClasses * 3);
        this.shift = new Float64Array(numClasses * 3);
        this.grad = new Float64Array(numClasses);
        this.inner = new Float64Array(numClasses);
    }

    /** Adds an image's pixels to their classes. `label` may differ from `img.label`. */
    add(img: { width: number; height: number; rgb: Uint8Array }, label: ArrayLike<number>): void {
        const { width: w, height: h } = img;
        const lab = rgbToLab(img.rgb);
        const k = this.numClasses;
        for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
                const i = y * w + x;
                const c = label[i];
                if (c >= k) continue;
                if (this.n[c]++ === 0) {
                    for (let ch = 0; ch < 3; ch++) this.shift[c * 3 + ch] = lab[i * 3 + ch];
                }
                for (let ch = 0; ch < 3; ch++) {
                    const v = lab[i * 3 + ch] - this.shift[c * 3 + ch];
                    this.sum[c * 3 + ch] += v;
                    this.sq[c * 3 + ch] += v * v;
                }
                if (x === 0 || y === 0 || x === w - 1 || y === h - 1) continue;
                if (label[i - 1] !== c || label[i + 1] !== c) continue;
                if (label[i - w] !== c || label[i + w] !== c) continue;
                const gx = (lab[(i + 1) * 3] - lab[(i - 1) * 3]) / 2;
                const gy = (lab[(i + w) * 3] - lab[(i - w) * 3]) / 2;
                this.grad[c] += Math.sqrt(gx * gx + gy * gy);
                this.inner[c]++;
            }
        }
    }

    stats(): ClassStats[] {
        const out: ClassStats[] = [];
        for (let c = 0; c < this.numClasses; c++) {
            const n = this.n[c];
            const mean: [number, number, number] = [0, 0, 0];
            const std: [number, number, number] = [0, 0, 0];
            for (let ch = 0; ch < 3 && n > 0; ch++) {
                const m = this.sum[c * 3 + ch] / n;
                mean[ch] = m + this.shift[c * 3 + ch];
                std[ch] = Math.sqrt(Math.max(0, this.sq[c * 3 + ch] / n - m * m));
            }
            const texture = this.inner[c] > 0 ? this.grad[c] / this.inner[c] : undefined;
            out.push({ pixels: n, mean, std, texture, interior: this.inner[c] });
        }
        return out;
    }
}

/** Real and synthesized statistics of one class, and how far apart they are. */
export interface ClassComparison {
    id: number;
    name: string;
    /** Share of all labelled pixels in the set. */
    share: number;
    real: ClassStats;
    pred: ClassStats;
    /** Distance of the mean colours (CIE76 delta E). */
    meanDelta: number;
    /** Euclidean distance of the (L*, a*, b*) standard deviations. */
    stdDelta: number;
    /** Absolute difference of the texture statistics (0 when either is undefined). */
    textureDelta: number;
    /** meanDelta + stdDelta + textureDelta: 0 when the statistics agree. */
    distance: number;
}

/** The outcome of an evaluation. Lower distances and scores are better; 0 is a perfect match. */
export interface EvaluationReport {
    images: number;
    /** Classes present in the label maps, in id order. */
    classes: ClassComparison[];
    /** Mean class distance weighted by pixel share. */
    score: number;
    /** Unweighted mean class distance, so rare classes count as much as large ones. */
    classMeanScore: number;
    /** Labelled pixels whose id is not a class (dontcare), left out of every statistic. */
    ignoredPixels: number;
}

function dist3(a: readonly number[], b: readonly number[]): number {
    return Math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2);
}

/** Compares pooled statistics class by class. */
export function compareStats(
    real: ClassStats[],
    pred: ClassStats[],
    names: readonly string[],
    ignoredPixels = 0,
    images = 0,
): EvaluationReport {
    const total = real.reduce((a, s) => a + s.pixels, 0);
    const classes: ClassComparison[] = [];
    for (let c = 0; c < real.length; c++) {
        const r = real[c];
        const p = pred[c];
        if (r.pixels === 0) continue;
        const meanDelta = dist3(r.mean, p.mean);
        const stdDelta = dist3(r.std, p.std);
        const textureDelta =
            r.texture !== undefined && p.texture !== undefined
                ? Math.abs(r.texture - p.texture)
                : 0;
        classes.push({
            id: c,
            name: names[c] ?? `class ${c}`,
            share: total > 0 ? r.pixels / total : 0,
            real: r,
            pred: p,
            meanDelta,
            stdDelta,
            textureDelta,
            distance: meanDelta + stdDelta + textureDelta,
        });
    }
    const score = classes.reduce((a, k) => a + k.share * k.distance, 0);
    const classMeanScore =
        classes.length > 0 ? classes.reduce((a, k) => a + k.distance, 0) / classes.length : 0;
    return { images, classes, score, classMeanScore, ignoredPixels };
}

/**
 * Evaluates synthesized images against real ones over shared label maps. Each pair must have
 * one size; `label` is taken from `real`.
 */
export function evaluatePairs(
    pairs: readonly { pred: LabelledImage | Omit<LabelledImage, 'label'>; real: LabelledImage }[],
    names: readonly string[],
): EvaluationReport {
    const k = names.length;
    const real = new StatsAccumulator(k);
    const pred = new StatsAccumulator(k);
    let ignored = 0;
    for (const { pred: p, real: r } of pairs) {
        if (p.width !== r.width || p.height !== r.height) {
            throw new Error(
                `image sizes differ: synthesized ${p.width}x${p.height}, real ${r.width}x${r.height}; resize one to the other first.`,
            );
        }
        real.add(r, r.label);
        pred.add(p, r.label);
        for (let i = 0; i < r.label.length; i++) if (r.label[i] >= k) ignored++;
    }
    return compareStats(real.stats(), pred.stats(), names, ignored, pairs.length);
}
