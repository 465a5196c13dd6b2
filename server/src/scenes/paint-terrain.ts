/**
 * Mountains (with snow caps), water, beach and open ground. Mountains are lit by the slope of
 * a height field across the picture; water mirrors what is already painted above the horizon.
 */
import type { Canvas, Color } from './canvas';
import { mixColor } from './canvas';
import type { RangePlan, ScenePlan } from './plan';
import { clamp01, fbm, noise2, ridged, smoothstep } from './noise';

/** The row where the land and water begin; mountains end just above it. */
export function horizonRow(c: Canvas, plan: ScenePlan): number {
    return Math.round(plan.horizon * c.height);
}

function ridgeHeight(r: RangePlan, u: number): number {
    const taper = smoothstep(r.u0, r.u0 + 0.2, u) * (1 - smoothstep(r.u1 - 0.2, r.u1, u));
    if (taper <= 0) return 0;
    let peak = 0;
    for (const p of r.peaks) peak = Math.max(peak, p.h * Math.max(0, 1 - Math.abs(u - p.u) / p.w));
    const body = 0.3 + 0.7 * fbm(u * 2.2, 0.5, r.seed, 3);
    const crest = ridged(u * 7, 1.5, r.seed + 11, 4);
    return (
        r.height * taper * Math.min(1.1, Math.max(peak * 0.9, body * 0.6) * (0.75 + 0.4 * crest))
    );
}

export function paintMountains(c: Canvas, plan: ScenePlan): void {
    const H = c.height;
    const hy = horizonRow(c, plan);
    const { light } = plan;
    const e = 1.5 / H;
    for (const r of plan.ranges) {
        const inst = c.newInstance();
        const snowInst = c.newInstance();
        if (inst === undefined || snowInst === undefined) return;
        const gullies = (u: number, v: number) =>
            ridged(u * 6 + 1.5 * fbm(u * 3, v * 3, r.seed + 5, 2), v * 7, r.seed + 7, 3);
        for (let x = 0; x < c.width; x++) {
            const u = (x + 0.5) / H;
            const h = ridgeHeight(r, u);
            if (h <= 0) continue;
            const top = plan.horizon - h;
            for (let y = Math.max(0, Math.ceil(top * H - 0.5)); y < hy; y++) {
                const v = (y + 0.5) / H;
                const depth = (v - top) / Math.max(h, 1e-6);
                const g = gullies(u, v);
                const gRise = (gullies(u + e, v) - gullies(u - e, v)) / (2 * e);
                // Faces run down from the crest: the crest's slope, read at a point that wanders
                // sideways with depth, so lit and shaded faces meet along crooked spurs.
                const uw = u + (v - top) * 0.9 * (fbm(u * 5, v * 5, r.seed + 13, 3) - 0.5);
                // Small crest bumps shade only near the crest; lower down only big faces show.
                const span = e + 0.05 * depth * r.height;
                const rise = (ridgeHeight(r, uw + span) - ridgeHeight(r, uw - span)) / (2 * span);
                const slope = rise * Math.exp(-depth * 1.2) + 0.004 * gRise;
                const lit = clamp01(0.5 + 1.2 * slope * light.dirX);
                const altitude = plan.horizon - v;
                const snowline =
                    r.height * (1 - r.snow) +
                    r.height * (0.12 * (fbm(u * 9, v * 9, r.seed + 3, 3) - 0.5) + 0.1 * (g - 0.6));
                const haze = r.haze * (0.75 + 0.25 * depth);
                let col: Color;
                let cls: 'mountains' | 'snow' = 'mountains';
                if (r.snow > 0 && altitude > snowline) {
                    cls = 'snow';
                    const sh = 0.35 + 0.65 * lit;
                    col = mixColor([0.6, 0.68, 0.84], [0.98, 0.98, 1], sh);
                    col = mixColor(col, plan.skyHorizon, haze * 0.6);
                } else {
                    const strata = 0.8 + 0.4 * fbm(u * 12, v * 30, r.seed + 9, 3);
                    const base = mixColor(
                        r.color,
                        [0.2, 0.3, 0.15],
                        smoothstep(0.45, 1, depth) * (0.9 - r.haze),
                    );
                    const k = (0.45 + 0.75 * lit) * strata * (0.8 + 0.3 * g);
                    col = [base[0] * k, base[1] * k, base[2] * k];
                    col = mixColor(col, plan.skyHorizon, haze);
                }
                const t = light.tint;
                c.put(
                    x,
                    y,
                    cls,
                    cls === 'snow' ? snowInst : inst,
                    col[0] * t[0],
                    col[1] * t[1],
                    col[2] * t[2],
                );
            }
        }
    }
}

/** Near edge of the water (v) at u. */
function waterEdge(plan: ScenePlan, u: number): number {
    const w = plan.water!;
    const t = u / plan.aspect;
    return w.left + (w.right - w.left) * t + 0.05 * (fbm(u * 3, 0.5, w.seed, 3) - 0.5);
}

/** Top of the open ground (v) at u: below the water and the beach when there are any. */
export function groundTop(plan: ScenePlan, u: number): number {
    if (!plan.water) return plan.horizon;
    const sand = plan.sand * (0.6 + 0.8 * fbm(u * 2.5, 3.5, plan.water.seed + 1, 3));
    return waterEdge(plan, u) + sand;
}

export function paintWater(c: Canvas, plan: ScenePlan): void {
    const w = plan.water;
    if (!w) return;
    const inst = c.newInstance() ?? 0;
    const H = c.height;
    const hy = horizonRow(c, plan);
    const { light } = plan;
    const src = c.rgb.slice(0, hy * c.width * 3);
    for (let x = 0; x < c.width; x++) {
        const u = (x + 0.5) / H;
        const edge = waterEdge(plan, u);
        for (let y = hy; y < c.height && (y + 0.5) / H < edge; y++) {
            const v = (y + 0.5) / H;
            const z = (v - plan.horizon) / (1 - plan.horizon);
            let col = mixColor(
                mixColor(plan.skyHorizon, w.deep, 0.3),
                w.deep,
                smoothstep(0, 0.5, z),
            );
            // Mirror image of the sky and mountains, broken up by horizontal ripples.
            const ym = 2 * hy - y - 1;
            if (ym >= 0 && ym < hy) {
                const wobble = (noise2(x * 0.08, y * 0.6, w.seed) - 0.5) * (0.01 + 0.06 * z) * H;
                const xm = Math.min(c.width - 1, Math.max(0, Math.round(x + wobble)));
                const i = (ym * c.width + xm) * 3;
                const refl: Color = [src[i] * 0.82, src[i + 1] * 0.86, src[i + 2] * 0.9];
                col = mixColor(col, refl, 0.6 - 0.3 * z);
            }
            const streak = 0.9 + 0.2 * noise2(x * 0.05, y * 0.8, w.seed + 1);
            col = [col[0] * streak, col[1] * streak, col[2] * streak];
            col = mixColor(col, [0.3, 0.45, 0.42], 0.45 * smoothstep(edge - 0.025, edge, v));
            // Glitter in the column under the sun.
            const gw = 0.02 + 0.12 * z;
            const du = Math.abs(u - light.sunU);
            if (du < gw) {
                const s = smoothstep(0.72, 0.9, noise2(x * 0.6, y * 1.7, w.seed + 2));
                const add = s * (1 - du / gw) * (0.25 + 0.35 * light.elevation);
                col = [col[0] + add, col[1] + add, col[2] + add];
            }
            c.put(x, y, 'water', inst, col[0], col[1], col[2]);
        }
    }
}

/** Ground-plane texture coordinates: perspective makes texture finer towards the horizon. */
function groundUv(plan: ScenePlan, u: number, v: number): [number, number] {
    const gz = 1 / Math.max(v - plan.horizon, 0.006);
    return [(u - plan.aspect / 2) * gz, gz];
}

/** Beach, then grass or snow down to the bottom edge. */
export function paintGround(c: Canvas, plan: ScenePlan): void {
    const H = c.height;
    const hy = horizonRow(c, plan);
    const sandInst = plan.water && plan.sand > 0 ? (c.newInstance() ?? 0) : 0;
    const groundInst = c.newInstance() ?? 0;
    const t = plan.light.tint;
    const sun = 0.85 + 0.25 * plan.light.elevation;
    const s = plan.seed;
    for (let x = 0; x < c.width; x++) {
        const u = (x + 0.5) / H;
        const edge = plan.water ? waterEdge(plan, u) : plan.horizon;
        const top = groundTop(plan, u);
        for (let y = hy; y < c.height; y++) {
            const v = (y + 0.5) / H;
            if (v < edge) continue;
            const z = (v - plan.horizon) / (1 - plan.horizon);
            const [gx, gz] = groundUv(plan, u, v);
            const haze = 0.35 * (1 - z) ** 4;
            let col: Color;
            if (v < top) {
                const wet = 1 - smoothstep(edge, edge + 0.3 * (top - edge), v);
                const ripple = 0.94 + 0.12 * noise2(gx * 1.2, gz * 5, s + 21);
                const grain = 0.93 + 0.14 * noise2(x * 1.7, y * 1.7, s + 22);
                const base = mixColor([0.86, 0.76, 0.55], [0.58, 0.49, 0.36], wet * 0.8);
                const k = ripple * grain * sun;
                col = mixColor(
                    [base[0] * k * t[0], base[1] * k * t[1], base[2] * k * t[2]],
                    plan.skyHorizon,
                    haze,
                );
                c.put(x, y, 'sand', sandInst, col[0], col[1], col[2]);
                continue;
            }
            if (plan.ground === 'snow') {
                const f = (a: number) => fbm(a, gz * 0.35, s + 31, 4);
                const slope = (f(gx * 0.35 + 0.15) - f(gx * 0.35 - 0.15)) * plan.light.dirX * 8;
                const lit = clamp01(0.8 + 0.8 * slope);
                const sparkle = noise2(x * 2.3, y * 2.3, s + 32) > 0.95 ? 0.05 : 0;
                col = mixColor([0.6, 0.67, 0.82], [0.93 * t[0], 0.93 * t[1], 0.95 * t[2]], lit);
                const grain = 0.97 + 0.05 * noise2(x * 0.9, y * 0.9, s + 33) + sparkle;
                col = mixColor(
                    [col[0] * grain, col[1] * grain, col[2] * grain],
                    plan.skyHorizon,
                    haze,
                );
                c.put(x, y, 'snow', groundInst, col[0], col[1], col[2]);
                continue;
            }
            const patch = fbm(gx * 0.5, gz * 0.5, s + 41, 4);
            let base = mixColor([0.58, 0.62, 0.32], [0.2, 0.44, 0.11], Math.sqrt(z));
            base = mixColor(base, [0.5, 0.52, 0.2], smoothstep(0.55, 0.8, patch) * 0.6);
            const blades = noise2(x * 0.9, y * (0.3 - 0.18 * z), s + 42) - 0.5;
            const fine = noise2(x * 2.1, y * 1.3, s + 43) - 0.5;
            const k = sun * (0.8 + 0.4 * patch) * (1 + blades * (0.1 + 0.45 * z * z) + fine * 0.14);
            col = mixColor(
                [base[0] * k * t[0], base[1] * k * t[1], base[2] * k * t[2]],
                plan.skyHorizon,
                haze,
            );
            c.put(x, y, 'grass', groundInst, col[0], col[1], col[2]);
        }
    }
}
