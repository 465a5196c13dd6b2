/**
 * Draws the label ids in their class colours onto a canvas. Masks above the display budget
 * are drawn at 1/k of their size (nearest id, k an integer) so a huge mask does not need a
 * huge canvas; editing still works on the full-size ids.
 */
import type { ClassTable } from '../../../server/src/protocol/preview';
import { packedLut } from '../common/palette';
import type { MaskState, Rect } from './mask-state';

/** Integer downscale factor so that the displayed image has at most `maxPixels` pixels. */
export function displayFactor(width: number, height: number, maxPixels: number): number {
    if (maxPixels <= 0 || width * height <= maxPixels) return 1;
    return Math.ceil(Math.sqrt((width * height) / maxPixels));
}

/** The mask canvas and the colour look-up table behind it. */
export class MaskRenderer {
    readonly canvas: HTMLCanvasElement;
    readonly factor: number;
    readonly displayWidth: number;
    readonly displayHeight: number;
    private readonly ctx: CanvasRenderingContext2D;
    private readonly image: ImageData;
    private readonly pixels: Uint32Array;
    private lut: Uint32Array;

    constructor(
        private readonly mask: MaskState,
        table: ClassTable,
        maxPixels: number,
    ) {
        this.factor = displayFactor(mask.width, mask.height, maxPixels);
        this.displayWidth = Math.ceil(mask.width / this.factor);
        this.displayHeight = Math.ceil(mask.height / this.factor);
        this.canvas = document.createElement('canvas');
        this.canvas.id = 'mask-canvas';
        this.canvas.width = this.displayWidth;
        this.canvas.height = this.displayHeight;
        // CSS size in mask pixels: the viewport's zoom is then screen pixels per mask pixel.
        this.canvas.style.width = `${mask.width}px`;
        this.canvas.style.height = `${mask.height}px`;
        const ctx = this.canvas.getContext('2d');
        if (!ctx) throw new Error('this webview cannot create a 2D canvas');
        this.ctx = ctx;
        this.image = ctx.createImageData(this.displayWidth, this.displayHeight);
        this.pixels = new Uint32Array(this.image.data.buffer);
        this.lut = packedLut(table, mask.maxId + 1);
        this.draw({ x0: 0, y0: 0, x1: mask.width, y1: mask.height });
    }

    /** New class colours: redraw everything. */
    setTable(table: ClassTable): void {
        this.lut = packedLut(table, this.mask.maxId + 1);
        this.draw({ x0: 0, y0: 0, x1: this.mask.width, y1: this.mask.height });
    }

    /** Redraws the display pixels covering a rectangle of mask pixels. */
    draw(r: Rect): void {
        const k = this.factor;
        const { ids, width, height } = this.mask;
        const dx0 = Math.floor(r.x0 / k);
        const dy0 = Math.floor(r.y0 / k);
        const dx1 = Math.min(this.displayWidth, Math.ceil(r.x1 / k));
        const dy1 = Math.min(this.displayHeight, Math.ceil(r.y1 / k));
        if (dx1 <= dx0 || dy1 <= dy0) return;
        for (let dy = dy0; dy < dy1; dy++) {
            const row = Math.min(height - 1, dy * k) * width;
            const out = dy * this.displayWidth;
            for (let dx = dx0; dx < dx1; dx++) {
                this.pixels[out + dx] = this.lut[ids[row + Math.min(width - 1, dx * k)]];
            }
        }
        this.ctx.putImageData(this.image, 0, 0, dx0, dy0, dx1 - dx0, dy1 - dy0);
    }
}
