/**
 * Things standing on the ground: a distant treeline, tree clumps and boulders. Each clump or
 * boulder is one instance; each is shaded from the sun side and casts a soft shadow.
 */
import type { Canvas } from './canvas';
import { mixColor } from './canvas';
import type { RockPlan, ScenePlan, TreePlan } from './plan';
import { clamp01, fbm, noise2, ridged, smoothstep } from './noise';
import { Rng } from './prng';
import { horizonRow } from './paint-terrain';

/** Labels a cast shadow may darken: ground, never sky, water or other objects. */
function isGround(c: Canvas, i: number): boolean {
    const l = c.label[i];
    return l === 4 || l === 5 || l === 8;
}

/** A soft elliptical shadow on the ground, away from the sun. */
function castShadow(c: Canvas, plan: ScenePlan, u: number, v: number, rx: number): void {
    const H = c.height;
    const cu = u - plan.light.dirX * rx * 0.8;
    const ry = rx * 0.25;
    for (let y = Math.max(0, Math.floor((v - ry) * H)); y < Math.min(c.height, (v + ry) * H); y++) {
        for (
            let x = Math.max(0, Math.floor((cu - rx) * H));
            x < Math.min(c.width, (cu + rx) * H);
            x++
        ) {
            const ex = ((x + 0.5) / H - cu) / rx;
            const ey = ((y + 0.5) / H - v) / ry;
            const d = ex * ex + ey * ey;
            if (d < 1 && isGround(c, y * c.width + x)) c.darken(x, y, 0.6 + 0.4 * d);
        }
    }
}

export function paintTreeline(c: Canvas, plan: ScenePlan): void {
    const tl = plan.treeline;
    if (!tl) return;
    const inst = c.newInstance();
    if (inst === undefined) return;
    const H = c.height;
    const hy = horizonRow(c, plan);
    for (let x = Math.max(0, Math.floor(tl.u0 * H)); x < Math.min(c.width, tl.u1 * H); x++) {
        const u = (x + 0.5) / H;
        const taper = smoothstep(tl.u0, tl.u0 + 0.1, u) * (1 - smoothstep(tl.u1 - 0.1, tl.u1, u));
        const crowns = 0.4 + 0.6 * noise2(u * 180, 0.5, tl.seed) * fbm(u * 15, 1.5, tl.seed + 1, 2);
        const top = plan.horizon - tl.height * taper * crowns * 1.6;
        for (let y = Math.max(0, Math.ceil(top * H - 0.5)); y <= hy && y < c.height; y++) {
            const k = 0.75 + 0.3 * noise2(x * 0.7, y * 0.7, tl.seed + 2);
            const col = mixColor([0.1 * k, 0.22 * k, 0.12 * k], plan.skyHorizon, 0.35);
            c.put(x, y, 'trees', inst, col[0], col[1], col[2]);
        }
    }
}

function paintTree(c: Canvas, plan: ScenePlan, tree: TreePlan, inst: number, rng: Rng): void {
    const H = c.height;
    const { dirX } = plan.light;
    const t = plan.light.tint;
    const u = tree.u + rng.range(-1, 1) * tree.size * 0.4;
    const v = tree.v + rng.range(-0.1, 0.1) * tree.size;
    const size = tree.size * rng.range(0.7, 1.1);
    const seed = rng.seed();
    castShadow(c, plan, u, v, size * 0.35);
    if (tree.kind === 'conifer') {
        const half = size * 0.2;
        const apex = v - size;
        for (let y = Math.max(0, Math.floor(apex * H)); y < Math.min(c.height, v * H); y++) {
            const vy = (y + 0.5) / H;
            const f = (vy - apex) / (size * 0.9);
            // Tiers of branches: the width saw-tooths as it grows downwards.
            const tier = f * 7 - Math.floor(f * 7);
            const jag = 0.8 * fbm(u * 40, vy * 60, seed, 2);
            const w =
                f > 1 ? half * 0.12 : half * Math.min(f, 1) * (0.6 + 0.45 * tier) * (0.7 + jag);
            for (
                let x = Math.max(0, Math.floor((u - w) * H));
                x < Math.min(c.width, (u + w) * H);
                x++
            ) {
                const side = ((x + 0.5) / H - u) / Math.max(w, 1e-6);
                if (f > 1) {
                    c.put(x, y, 'trees', inst, 0.25 * t[0], 0.17 * t[1], 0.1 * t[2]);
                    continue;
                }
                const lit = clamp01(0.5 + 0.45 * side * dirX + 0.2 * (tier - 0.5));
                const k = (0.55 + 0.75 * lit) * (0.8 + 0.4 * noise2(x * 0.8, y * 0.8, seed + 1));
                c.put(x, y, 'trees', inst, 0.08 * k * t[0], 0.22 * k * t[1], 0.14 * k * t[2]);
            }
        }
        return;
    }
    // Broadleaf: a canopy of overlapping blobs with a ragged fBm edge, on a short trunk.
    const r = size * 0.32;
    const cy = v - size * 0.62;
    const blobs: [number, number, number][] = [[u, cy, r]];
    for (let i = rng.int(3, 6); i > 0; i--) {
        blobs.push([
            u + rng.range(-0.7, 0.7) * r,
            cy + rng.range(-0.6, 0.4) * r,
            r * rng.range(0.45, 0.75),
        ]);
    }
    const trunkW = r * 0.14;
    for (let y = Math.max(0, Math.floor(cy * H)); y < Math.min(c.height, v * H); y++) {
        for (
            let x = Math.max(0, Math.floor((u - trunkW) * H));
            x < Math.min(c.width, (u + trunkW) * H);
            x++
        ) {
            const k = 0.7 + 0.4 * clamp01(0.5 + (((x + 0.5) / H - u) / trunkW) * dirX);
            c.put(x, y, 'trees', inst, 0.3 * k * t[0], 0.21 * k * t[1], 0.13 * k * t[2]);
        }
    }
    const x0 = Math.max(0, Math.floor((u - 2 * r) * H));
    const x1 = Math.min(c.width, Math.ceil((u + 2 * r) * H));
    for (
        let y = Math.max(0, Math.floor((cy - 1.8 * r) * H));
        y < Math.min(c.height, (cy + 1.4 * r) * H);
        y++
    ) {
        const vy = (y + 0.5) / H;
        for (let x = x0; x < x1; x++) {
            const ux = (x + 0.5) / H;
            let best = Infinity;
            let nx = 0;
            let ny = 0;
            for (const [bx, by, br] of blobs) {
                const dx = (ux - bx) / br;
                const dy = (vy - by) / br;
                const d = dx * dx + dy * dy;
                if (d < best) [best, nx, ny] = [d, dx, dy];
            }
            const ragged = best + 0.9 * (fbm((ux / r) * 2.5, (vy / r) * 2.5, seed + 2, 3) - 0.5);
            if (ragged >= 1) continue;
            const lit = clamp01(0.45 + 0.45 * nx * dirX - 0.4 * ny);
            const leaves = 0.7 + 0.55 * noise2(x * 0.45, y * 0.45, seed + 3);
            const k = (0.45 + 0.8 * lit) * leaves;
            const col = mixColor(
                [0.1, 0.28, 0.08],
                [0.24, 0.4, 0.1],
                fbm(ux * 8, vy * 8, seed + 4, 2),
            );
            c.put(x, y, 'trees', inst, col[0] * k * t[0], col[1] * k * t[1], col[2] * k * t[2]);
        }
    }
}

export function paintTrees(c: Canvas, plan: ScenePlan, tree: TreePlan): void {
    const inst = c.newInstance();
    if (inst === undefined) return;
    const rng = new Rng(tree.seed);
    for (let i = 0; i < tree.count; i++) paintTree(c, plan, tree, inst, rng);
}

/** A boulder: a noisy half-ellipse lit as a sphere, with speckle and cracks. */
export function paintRock(c: Canvas, plan: ScenePlan, rock: RockPlan): void {
    const inst = c.newInstance();
    if (inst === undefined) return;
    const H = c.height;
    const rx = rock.size * 0.6;
    const ry = rock.size * 0.5;
    const cx = rock.u;
    const cy = rock.v - ry * 0.55;
    const { dirX, elevation } = plan.light;
    const t = plan.light.tint;
    const lz = 0.5;
    const ly = -(0.3 + 0.6 * elevation);
    const ln = Math.sqrt(dirX * dirX + ly * ly + lz * lz);
    castShadow(c, plan, rock.u, rock.v, rx * 1.1);
    const tone = mixColor([0.5, 0.49, 0.47], [0.56, 0.5, 0.42], noise2(rock.seed % 97, 0.5, 1));
    for (
        let y = Math.max(0, Math.floor((cy - ry * 1.4) * H));
        y < Math.min(c.height, rock.v * H);
        y++
    ) {
        const v = (y + 0.5) / H;
        for (
            let x = Math.max(0, Math.floor((cx - rx * 1.4) * H));
            x < Math.min(c.width, (cx + rx * 1.4) * H);
            x++
        ) {
            const u = (x + 0.5) / H;
            const ex = (u - cx) / rx;
            const ey = (v - cy) / ry;
            const d =
                ex * ex +
                ey * ey +
                0.8 * (fbm((u / rock.size) * 3, (v / rock.size) * 3, rock.seed, 3) - 0.5);
            if (d >= 1) continue;
            const nz = Math.sqrt(Math.max(0, 1 - Math.min(1, ex * ex + ey * ey)));
            const lit = clamp01((ex * dirX + ey * ly + nz * lz) / ln);
            const crack = smoothstep(
                0.82,
                0.95,
                ridged((u / rock.size) * 4, (v / rock.size) * 4, rock.seed + 1, 2),
            );
            const speck = 0.88 + 0.24 * noise2(x * 1.9, y * 1.9, rock.seed + 2);
            const k = (0.35 + 0.8 * lit) * speck * (1 - 0.45 * crack);
            c.put(x, y, 'rock', inst, tone[0] * k * t[0], tone[1] * k * t[1], tone[2] * k * t[2]);
        }
    }
}
