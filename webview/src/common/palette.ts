/**
 * Class colours for display. The default map is the one SPADE's visualizer uses for datasets
 * other than Cityscapes: the bits of (id + 1) spread over the high bits of R, G and B, so
 * neighbouring ids get clearly different colours and id 0 is not black.
 */
import type { ClassTable, Rgb } from '../../../server/src/protocol/preview';

/** Default colour of a class id (any id up to 2^21). */
export function defaultColor(id: number): Rgb {
    let r = 0;
    let g = 0;
    let b = 0;
    let bits = id + 1;
    for (let j = 0; j < 7; j++) {
        r |= (bits & 1) << (7 - j);
        g |= ((bits >> 1) & 1) << (7 - j);
        b |= ((bits >> 2) & 1) << (7 - j);
        bits >>= 3;
    }
    return [r, g, b];
}

/** Display colour of `id` under a class table (its colours, black for dontcare, else default). */
export function colorOf(table: ClassTable, id: number): Rgb {
    const c = table.colors?.[id];
    if (c) return c;
    if (table.dontcare && table.dontcare.value === id) return [0, 0, 0];
    return defaultColor(id);
}

/** Display name of `id` under a class table. */
export function nameOf(table: ClassTable, id: number): string {
    if (table.dontcare && table.dontcare.value === id) return table.dontcare.name;
    return table.names[id] ?? `class ${id}`;
}

/**
 * Packed colours for `ImageData` viewed as a `Uint32Array` (little-endian: 0xAABBGGRR),
 * one entry per possible id, so rendering is one table look-up per pixel.
 */
export function packedLut(table: ClassTable, size: number): Uint32Array {
    const lut = new Uint32Array(size);
    for (let id = 0; id < size; id++) {
        const [r, g, b] = colorOf(table, id);
        lut[id] = (0xff << 24) | (b << 16) | (g << 8) | r;
    }
    return lut;
}

/** CSS colour string of an RGB triple. */
export function cssColor([r, g, b]: Rgb): string {
    return `rgb(${r}, ${g}, ${b})`;
}
