/**
 * Line charts on a canvas: several named series over steps, auto-scaled, with a few round
 * ticks. No library; redrawn whole on each change (a few thousand points are cheap).
 */

export interface Series {
    name: string;
    color: string;
    /** [step, value] pairs in step order; non-finite values are skipped. */
    points: [number, number][];
}

export interface ChartOptions {
    /** Text colour for axes, read from the theme. */
    foreground: string;
    grid: string;
    /** Exponential smoothing weight in [0, 1); 0 draws the raw values. */
    smoothing: number;
}

export const PALETTE = [
    '#4e79a7',
    '#f28e2b',
    '#e15759',
    '#76b7b2',
    '#59a14f',
    '#edc948',
    '#b07aa1',
    '#ff9da7',
    '#9c755f',
];

/** 3-6 round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
    if (!(hi > lo)) return [lo];
    const raw = (hi - lo) / count;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
    const out: number[] = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
        out.push(Number(v.toPrecision(12)));
    return out;
}

/** Exponential moving average, as training dashboards smooth noisy losses. */
export function smooth(points: [number, number][], weight: number): [number, number][] {
    if (weight <= 0) return points;
    let acc: number | undefined;
    return points.map(([x, y]) => {
        if (!Number.isFinite(y)) return [x, y];
        acc = acc === undefined ? y : acc * weight + y * (1 - weight);
        return [x, acc];
    });
}

export function drawChart(canvas: HTMLCanvasElement, series: Series[], o: ChartOptions): void {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (w === 0 || h === 0) return;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const drawn = series.map((s) => ({
        ...s,
        points: smooth(s.points, o.smoothing).filter(([, y]) => Number.isFinite(y)),
    }));
    const all = drawn.flatMap((s) => s.points);
    ctx.fillStyle = o.foreground;
    ctx.font = '11px sans-serif';
    if (all.length === 0) {
        ctx.fillText('no data yet', 12, 20);
        return;
    }
    let [x0, x1] = [Infinity, -Infinity];
    let [y0, y1] = [Infinity, -Infinity];
    for (const [x, y] of all) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
    }
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) [y0, y1] = [y0 - 1e-3 - Math.abs(y0) * 0.1, y1 + 1e-3 + Math.abs(y1) * 0.1];
    const pad = { l: 52, r: 8, t: 8, b: 22 };
    const px = (x: number) => pad.l + ((x - x0) / (x1 - x0)) * (w - pad.l - pad.r);
    const py = (y: number) => h - pad.b - ((y - y0) / (y1 - y0)) * (h - pad.t - pad.b);
    ctx.strokeStyle = o.grid;
    ctx.lineWidth = 1;
    for (const t of niceTicks(y0, y1)) {
        ctx.beginPath();
        ctx.moveTo(pad.l, py(t));
        ctx.lineTo(w - pad.r, py(t));
        ctx.stroke();
        ctx.fillText(formatTick(t), 4, py(t) + 4);
    }
    for (const t of niceTicks(x0, x1)) ctx.fillText(String(Math.round(t)), px(t) - 8, h - 6);
    for (const s of drawn) {
        ctx.strokeStyle = s.color;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        s.points.forEach(([x, y], i) =>
            i === 0 ? ctx.moveTo(px(x), py(y)) : ctx.lineTo(px(x), py(y)),
        );
        ctx.stroke();
    }
}

function formatTick(v: number): string {
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e4)
        ? v.toExponential(1)
        : String(Number(v.toPrecision(3)));
}
