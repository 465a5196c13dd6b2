/** Sky and clouds: the first layers painted, behind everything else. */
import type { Canvas, Color } from './canvas';
import type { ScenePlan } from './plan';
import { fbm, noise2, smoothstep } from './noise';

/** Sky colour at (u, v): a zenith-to-horizon gradient brightened around the sun. */
export function skyColor(plan: ScenePlan, u: number, v: number): Color {
    const t = Math.min(1, Math.max(0, v / plan.horizon));
    const g = Math.sqrt(t);
    const du = u - plan.light.sunU;
    const dv = v - plan.light.sunV;
    const glow = 0.35 / (1 + (du * du + dv * dv) * 25);
    const [a, b] = [plan.skyTop, plan.skyHorizon];
    const tint = plan.light.tint;
    return [
        a[0] + (b[0] - a[0]) * g + glow * tint[0],
        a[1] + (b[1] - a[1]) * g + glow * tint[1],
        a[2] + (b[2] - a[2]) * g + glow * tint[2] * 0.8,
    ];
}

export function paintSky(c: Canvas, plan: ScenePlan): void {
    const inst = c.newInstance() ?? 0;
    const H = c.height;
    for (let y = 0; y < c.height; y++) {
        const v = (y + 0.5) / H;
        for (let x = 0; x < c.width; x++) {
            const u = (x + 0.5) / H;
            const [r, g, b] = skyColor(plan, u, v);
            // Faint high haze keeps large skies from being a perfectly smooth ramp.
            const n = 0.97 + 0.06 * fbm(u * 3, v * 9, plan.seed, 3);
            c.put(x, y, 'sky', inst, r * n, g * n, b * n);
        }
    }
}

/**
 * Cumulus-like clouds: fBm density inside a soft ellipse, flatter at the bottom. The side facing
 * the sun is brighter and the base greyer, found by sampling the density towards the light.
 */
export function paintClouds(c: Canvas, plan: ScenePlan): void {
    const H = c.height;
    const { light } = plan;
    const lx = light.dirX * 0.04;
    const ly = -0.03 - 0.03 * light.elevation;
    for (const cloud of plan.clouds) {
        const inst = c.newInstance();
        if (inst === undefined) return;
        const density = (u: number, v: number): number => {
            const ex = (u - cloud.u) / cloud.rx;
            const ey = (v - cloud.v) / cloud.ry;
            // A flat base: density falls off faster below the centre line.
            const e = ex * ex + (ey > 0 ? ey * ey * 2.2 : ey * ey);
            const f = fbm(u * 7, v * 11, cloud.seed, 5);
            return f + 0.75 * (1 - e) - 0.85;
        };
        const x0 = Math.max(0, Math.floor((cloud.u - cloud.rx * 1.3) * H));
        const x1 = Math.min(c.width - 1, Math.ceil((cloud.u + cloud.rx * 1.3) * H));
        const y0 = Math.max(0, Math.floor((cloud.v - cloud.ry * 1.6) * H));
        const y1 = Math.min(c.height - 1, Math.ceil((cloud.v + cloud.ry * 1.3) * H));
        for (let y = y0; y <= y1; y++) {
            const v = (y + 0.5) / H;
            for (let x = x0; x <= x1; x++) {
                const u = (x + 0.5) / H;
                const d = density(u, v);
                if (d <= 0) continue;
                const toward = density(u + lx, v + ly);
                const lit = smoothstep(-0.15, 0.2, d - toward);
                const base = smoothstep(-0.4, 1, (v - cloud.v) / cloud.ry);
                const shade = 0.78 + 0.22 * lit - 0.16 * base;
                const wisp = 0.96 + 0.08 * noise2(x * 0.5, y * 0.5, cloud.seed + 3);
                const alpha = Math.min(1, 0.5 + d * 5);
                // Blend with what is already there, so overlapping clouds show no sky-coloured seam.
                const j = (y * c.width + x) * 3;
                const sky = [c.rgb[j], c.rgb[j + 1], c.rgb[j + 2]];
                const t = light.tint;
                const r = shade * wisp * (0.92 + 0.08 * t[0]);
                const g = shade * wisp * (0.93 + 0.07 * t[1]);
                const b = shade * wisp * (0.96 + 0.04 * t[2]) + 0.04 * base;
                c.put(
                    x,
                    y,
                    'clouds',
                    inst,
                    sky[0] + (r - sky[0]) * alpha,
                    sky[1] + (g - sky[1]) * alpha,
                    sky[2] + (b - sky[2]) * alpha,
                );
            }
        }
    }
}
