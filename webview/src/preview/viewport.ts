/**
 * Zoom and pan of the mask: a CSS transform on the stage that holds the canvas, so the
 * browser scales the pixels (crisp, `image-rendering: pixelated`) and no redraw is needed.
 */

const MIN_ZOOM = 0.05;
const MAX_ZOOM = 64;

/** Zoom (screen pixels per mask pixel) and pan (stage offset in screen pixels). */
export class Viewport {
    zoom = 1;
    panX = 0;
    panY = 0;
    /** True while the view is the fitted one: a resize then fits again. */
    fitted = false;

    constructor(
        private readonly container: HTMLElement,
        private readonly stage: HTMLElement,
        private readonly contentWidth: number,
        private readonly contentHeight: number,
        private readonly onChange: () => void,
    ) {}

    /** Fits the whole mask in the container, centred. */
    fit(): void {
        const w = this.container.clientWidth || this.contentWidth;
        const h = this.container.clientHeight || this.contentHeight;
        this.zoom = clamp(
            Math.min(w / this.contentWidth, h / this.contentHeight),
            MIN_ZOOM,
            MAX_ZOOM,
        );
        this.panX = (w - this.contentWidth * this.zoom) / 2;
        this.panY = (h - this.contentHeight * this.zoom) / 2;
        this.apply();
        this.fitted = true;
    }

    /** Sets zoom and pan (restored view state). */
    set(zoom: number, panX: number, panY: number): void {
        this.zoom = clamp(zoom, MIN_ZOOM, MAX_ZOOM);
        this.panX = panX;
        this.panY = panY;
        this.apply();
    }

    /** Zooms by `factor` keeping the mask point under (clientX, clientY) in place. */
    zoomAt(clientX: number, clientY: number, factor: number): void {
        const box = this.container.getBoundingClientRect();
        const cx = clientX - box.left;
        const cy = clientY - box.top;
        const next = clamp(this.zoom * factor, MIN_ZOOM, MAX_ZOOM);
        this.panX = cx - ((cx - this.panX) * next) / this.zoom;
        this.panY = cy - ((cy - this.panY) * next) / this.zoom;
        this.zoom = next;
        this.apply();
    }

    panBy(dx: number, dy: number): void {
        this.panX += dx;
        this.panY += dy;
        this.apply();
    }

    /** The mask coordinates (fractional, in mask pixels) under a client point. */
    toMask(clientX: number, clientY: number): { x: number; y: number } {
        const box = this.stage.getBoundingClientRect();
        return {
            x: ((clientX - box.left) / box.width) * this.contentWidth,
            y: ((clientY - box.top) / box.height) * this.contentHeight,
        };
    }

    private apply(): void {
        this.fitted = false;
        this.stage.style.transform = `translate(${this.panX}px, ${this.panY}px) scale(${this.zoom})`;
        this.onChange();
    }
}

function clamp(v: number, lo: number, hi: number): number {
    return Math.min(hi, Math.max(lo, v));
}
