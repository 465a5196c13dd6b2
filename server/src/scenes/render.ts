/** Paints a planned scene, back to front, into a canvas. */
import { Canvas } from './canvas';
import type { ScenePlan } from './plan';
import { planScene } from './plan';
import { paintClouds, paintSky } from './paint-sky';
import { paintGround, paintMountains, paintWater } from './paint-terrain';
import { paintRock, paintTrees, paintTreeline } from './paint-objects';

/** One rendered scene: 8-bit RGB pixels, class ids and instance ids, row-major. */
export interface RenderedScene {
    width: number;
    height: number;
    /** Interleaved RGB, width * height * 3 bytes. */
    rgb: Uint8Array;
    /** Class id per pixel (see SCENE_CLASSES). */
    label: Uint8Array;
    /** Instance id per pixel, 1..255; each id belongs to exactly one class. */
    instance: Uint8Array;
    plan: ScenePlan;
}

export function renderScene(seed: number, width: number, height: number): RenderedScene {
    const plan = planScene(seed, width / height);
    const c = new Canvas(width, height);
    paintSky(c, plan);
    paintClouds(c, plan);
    paintMountains(c, plan);
    paintWater(c, plan);
    paintGround(c, plan);
    paintTreeline(c, plan);
    // Near things hide far ones: trees and rocks go down in order of their ground line.
    const things = [
        ...plan.trees.map((t) => ({ v: t.v, paint: () => paintTrees(c, plan, t) })),
        ...plan.rocks.map((r) => ({ v: r.v, paint: () => paintRock(c, plan, r) })),
    ].sort((a, b) => a.v - b.v);
    for (const t of things) t.paint();
    return { width, height, rgb: c.toRgb8(), label: c.label, instance: c.instance, plan };
}
