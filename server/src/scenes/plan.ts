/**
 * What a scene contains, decided from its seed before any pixel is painted. Positions are in
 * units of the image height (u across, v down, the top-left corner is 0, 0), so one seed gives
 * the same landscape at every size.
 */
import type { Color } from './canvas';
import { mixColor } from './canvas';
import { Rng } from './prng';

/** The kinds of landscape; each uses a different subset of the classes. */
export type SceneKind = 'lake' | 'coast' | 'meadow' | 'winter';

/** Where the light comes from. */
export interface Light {
    /** Horizontal direction towards the sun: -1 left .. 1 right. */
    dirX: number;
    /** Height of the sun, 0 (on the horizon) .. 1 (overhead). */
    elevation: number;
    /** Sun position in scene units (it may lie outside the picture). */
    sunU: number;
    sunV: number;
    /** Colour of direct sunlight. */
    tint: Color;
}

export interface CloudPlan {
    u: number;
    v: number;
    rx: number;
    ry: number;
    seed: number;
}

/** A mountain range: a ridgeline over the horizon, painted back to front. */
export interface RangePlan {
    /** Highest point of the ridge above the horizon. */
    height: number;
    /** Extent across the picture; the ridge tapers to the horizon at the ends. */
    u0: number;
    u1: number;
    peaks: { u: number; w: number; h: number }[];
    seed: number;
    color: Color;
    /** Blend towards the horizon sky colour: aerial perspective. */
    haze: number;
    /** Fraction of the range's height, from the top, under snow (0 = none). */
    snow: number;
}

export interface TreePlan {
    u: number;
    /** Where the clump stands (the ground line). */
    v: number;
    size: number;
    kind: 'broadleaf' | 'conifer';
    count: number;
    seed: number;
}

export interface RockPlan {
    u: number;
    v: number;
    size: number;
    seed: number;
}

/** Everything painted for one scene. */
export interface ScenePlan {
    kind: SceneKind;
    /** Picture width in units of its height. */
    aspect: number;
    horizon: number;
    light: Light;
    skyTop: Color;
    skyHorizon: Color;
    clouds: CloudPlan[];
    ranges: RangePlan[];
    /** Near edge of the water (v) at the left and right, or undefined without water. */
    water?: { left: number; right: number; seed: number; deep: Color };
    /** Width of the beach between water and ground (0 = none). */
    sand: number;
    ground: 'grass' | 'snow';
    /** A band of distant trees along the far shore, or undefined. */
    treeline?: { u0: number; u1: number; height: number; seed: number };
    trees: TreePlan[];
    rocks: RockPlan[];
    seed: number;
}

/** Chooses the contents of scene `seed` for a picture of the given aspect (width / height). */
export function planScene(seed: number, aspect: number): ScenePlan {
    const rng = new Rng(seed);
    const kind = rng.pick<SceneKind>(['lake', 'lake', 'coast', 'meadow', 'meadow', 'winter']);
    const horizon = rng.range(0.38, 0.58);
    const elevation = rng.range(0.25, 0.9);
    const dirX = (rng.chance(0.5) ? 1 : -1) * rng.range(0.35, 1);
    const warmth = Math.max(0, 0.55 - elevation) * 1.6;
    const light: Light = {
        dirX,
        elevation,
        sunU: aspect * (0.5 + 0.42 * dirX),
        sunV: horizon * (1 - elevation) - 0.08,
        tint: [1, 0.97 - 0.08 * warmth, 0.92 - 0.2 * warmth],
    };
    const skyTop = mixColor([0.16, 0.36, 0.74], [0.3, 0.52, 0.86], rng.next());
    const skyHorizon: Color = [0.7 + 0.22 * warmth, 0.82 + 0.03 * warmth, 0.93 - 0.12 * warmth];

    const clouds: CloudPlan[] = [];
    const nClouds = rng.int(0, kind === 'coast' ? 6 : 4);
    for (let i = 0; i < nClouds; i++) {
        const rx = rng.range(0.12, 0.38);
        clouds.push({
            u: rng.range(-0.1, aspect + 0.1),
            v: rng.range(0.04, horizon * 0.75),
            rx,
            ry: rx * rng.range(0.22, 0.42),
            seed: rng.seed(),
        });
    }

    const ranges: RangePlan[] = [];
    const nRanges = kind === 'coast' ? rng.int(0, 1) : rng.int(1, 3);
    for (let k = 0; k < nRanges; k++) {
        const near = nRanges === 1 ? 0.5 : k / (nRanges - 1);
        const maxH = horizon * (kind === 'coast' ? 0.35 : 0.85 - 0.3 * near);
        const height = rng.range(0.45, 1) * maxH;
        const partial = kind === 'coast' || rng.chance(0.3);
        const u0 = partial ? rng.range(-0.3, aspect * 0.5) : -0.2;
        const u1 = partial ? u0 + rng.range(0.5, 1.2) * aspect : aspect + 0.2;
        const peaks = [];
        for (let p = rng.int(1, 3); p > 0; p--) {
            peaks.push({ u: rng.range(u0, u1), w: rng.range(0.15, 0.5), h: rng.range(0.6, 1) });
        }
        const snowy = kind === 'winter' ? 0.95 : height > 0.15 ? 0.8 : 0.3;
        ranges.push({
            height,
            u0,
            u1,
            peaks,
            seed: rng.seed(),
            color: mixColor([0.4, 0.42, 0.52], [0.42, 0.38, 0.3], near * rng.range(0.5, 1)),
            haze: 0.45 - 0.35 * near,
            snow: rng.chance(snowy) ? rng.range(0.2, kind === 'winter' ? 0.75 : 0.5) : 0,
        });
    }

    let water: ScenePlan['water'];
    let sand = 0;
    if (kind === 'lake' || kind === 'coast' || (kind === 'winter' && rng.chance(0.4))) {
        const depth =
            (1 - horizon) * (kind === 'coast' ? rng.range(0.3, 0.6) : rng.range(0.15, 0.45));
        const tilt = (1 - horizon) * rng.range(-0.2, 0.2);
        water = {
            left: horizon + depth + tilt,
            right: horizon + depth - tilt,
            seed: rng.seed(),
            deep: mixColor([0.05, 0.2, 0.32], [0.06, 0.27, 0.3], rng.next()),
        };
        if (kind === 'coast') sand = (1 - horizon) * rng.range(0.15, 0.45);
        else if (kind === 'lake' && rng.chance(0.6)) sand = (1 - horizon) * rng.range(0.04, 0.14);
    }
    const ground = kind === 'winter' ? 'snow' : 'grass';

    let treeline: ScenePlan['treeline'];
    if (kind !== 'coast' && rng.chance(0.7)) {
        const u0 = rng.range(-0.2, aspect * 0.6);
        treeline = {
            u0,
            u1: u0 + rng.range(0.3, 1.2) * aspect,
            height: rng.range(0.012, 0.035),
            seed: rng.seed(),
        };
    }

    // Objects stand on the ground below the water and beach; sizes grow towards the viewer.
    const groundTop = water ? Math.max(water.left, water.right) + sand : horizon;
    const trees: TreePlan[] = [];
    const nTrees = kind === 'coast' ? rng.int(0, 2) : rng.int(1, 6);
    for (let i = 0; i < nTrees && groundTop < 0.97; i++) {
        const v = rng.range(groundTop + 0.01, 1.08);
        const z = (v - horizon) / (1 - horizon);
        const conifer = kind === 'winter' || rng.chance(0.35);
        trees.push({
            u: rng.range(-0.05, aspect + 0.05),
            v,
            size: z * rng.range(0.25, 0.55),
            kind: conifer ? 'conifer' : 'broadleaf',
            count: rng.int(1, 4),
            seed: rng.seed(),
        });
    }
    const rocks: RockPlan[] = [];
    const rockTop = water ? Math.min(water.left, water.right) - 0.02 : horizon + 0.02;
    for (let i = rng.int(kind === 'coast' ? 1 : 0, 4); i > 0; i--) {
        const v = rng.range(rockTop, 1.05);
        const z = (v - horizon) / (1 - horizon);
        rocks.push({
            u: rng.range(0, aspect),
            v,
            size: z * rng.range(0.06, 0.2),
            seed: rng.seed(),
        });
    }
    trees.sort((a, b) => a.v - b.v);
    rocks.sort((a, b) => a.v - b.v);
    return {
        kind,
        aspect,
        horizon,
        light,
        skyTop,
        skyHorizon,
        clouds,
        ranges,
        water,
        sand,
        ground,
        treeline,
        trees,
        rocks,
        seed: rng.seed(),
    };
}
