/**
 * Painting geometry on a label-id grid, free of the DOM so it can be tested in Node.
 *
 * Brush rule: a brush of size s centred on pixel (cx, cy) paints every pixel whose centre lies
 * within s/2 of the brush centre. For odd s the brush centre is the centre of (cx, cy); for even
 * s it is that pixel's top-left corner, so the footprint is symmetric (s=1: one pixel, s=2: 2x2,
 * s=3: 3x3, s=5: a 5x5 disc without its corners).
 */

/** Pixel offsets (dx, dy pairs) covered by a brush of this size around its pixel. */
export function brushOffsets(size: number): Int32Array {
    const s = Math.max(1, Math.round(size));
    const r2 = (s / 2) * (s / 2);
    const shift = s % 2 === 1 ? 0 : 0.5;
    const lo = -Math.floor(s / 2);
    const hi = s % 2 === 1 ? Math.floor(s / 2) : s / 2 - 1;
    const out: number[] = [];
    for (let dy = lo; dy <= hi; dy++) {
        for (let dx = lo; dx <= hi; dx++) {
            const fx = dx + shift;
            const fy = dy + shift;
            if (fx * fx + fy * fy <= r2 + 1e-9) out.push(dx, dy);
        }
    }
    return Int32Array.from(out);
}

/** Integer points on the segment from (x0, y0) to (x1, y1), both ends included (Bresenham). */
export function linePoints(x0: number, y0: number, x1: number, y1: number): [number, number][] {
    const pts: [number, number][] = [];
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    let x = x0;
    let y = y0;
    for (;;) {
        pts.push([x, y]);
        if (x === x1 && y === y1) return pts;
        const e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y += sy;
        }
    }
}

/**
 * Calls `visit(index)` for each in-bounds pixel under a brush stamp at (cx, cy); the caller
 * deduplicates (a stroke stamps overlapping discs).
 */
export function stamp(
    offsets: Int32Array,
    cx: number,
    cy: number,
    width: number,
    height: number,
    visit: (index: number) => void,
): void {
    for (let k = 0; k < offsets.length; k += 2) {
        const x = cx + offsets[k];
        const y = cy + offsets[k + 1];
        if (x >= 0 && y >= 0 && x < width && y < height) visit(y * width + x);
    }
}

/**
 * Indices of the 4-connected region of pixels with the same id as (x, y), in visiting order.
 * Scanline fill: each row span is pushed once, so a full-image region costs O(pixels).
 */
export function floodRegion(
    ids: ArrayLike<number>,
    width: number,
    height: number,
    x: number,
    y: number,
): Uint32Array {
    if (x < 0 || y < 0 || x >= width || y >= height) return new Uint32Array(0);
    const target = ids[y * width + x];
    const seen = new Uint8Array(width * height);
    const out: number[] = [];
    const stack: number[] = [x, y];
    while (stack.length > 0) {
        const sy = stack.pop() as number;
        const sx = stack.pop() as number;
        const row = sy * width;
        if (seen[row + sx] || ids[row + sx] !== target) continue;
        let left = sx;
        while (left > 0 && !seen[row + left - 1] && ids[row + left - 1] === target) left--;
        let right = sx;
        while (right < width - 1 && !seen[row + right + 1] && ids[row + right + 1] === target) {
            right++;
        }
        for (let i = left; i <= right; i++) {
            seen[row + i] = 1;
            out.push(row + i);
        }
        for (const ny of [sy - 1, sy + 1]) {
            if (ny < 0 || ny >= height) continue;
            const nrow = ny * width;
            let inRun = false;
            for (let i = left; i <= right; i++) {
                const ok = !seen[nrow + i] && ids[nrow + i] === target;
                if (ok && !inRun) stack.push(i, ny);
                inRun = ok;
            }
        }
    }
    return Uint32Array.from(out);
}
