/**
 * The synthesized image(s) beside the mask: one canvas per sample, a caption, a busy state,
 * and a message in place of the images when there is no model or the mask does not fit it.
 */
import type { ImageMessage } from '../../../server/src/protocol/preview';
import { el } from '../common/dom';
import { asUint8 } from '../common/typed';

/** Performance mark set when the image of a request is on screen (benchmarks read it). */
export const IMAGE_SHOWN_MARK = 'spade:image-shown';

/** The synthesis pane. */
export class SynthView {
    private readonly grid: HTMLElement;
    private readonly caption: HTMLElement;
    private readonly message: HTMLElement;
    private shownRequest = 0;

    constructor(
        private readonly container: HTMLElement,
        private readonly onSaveImage: (requestId: number, index: number) => void,
    ) {
        this.grid = el('div', { id: 'synth-grid', className: 'synth-grid' });
        this.caption = el('div', { id: 'synth-caption', className: 'caption' });
        this.message = el('div', { id: 'synth-message', className: 'synth-message', hidden: true });
        container.replaceChildren(this.message, this.grid, this.caption);
    }

    /** Dims the images while a request is in flight. */
    setBusy(busy: boolean): void {
        this.container.classList.toggle('busy', busy);
        if (busy) this.caption.textContent = 'Synthesizing…';
    }

    /** Shows a message instead of the images (undefined: back to the images). */
    setMessage(text: string | undefined): void {
        this.message.hidden = text === undefined;
        this.message.textContent = text ?? '';
        this.grid.hidden = text !== undefined;
    }

    /**
     * Decodes and draws the images of a request; resolves once they are painted (the frame
     * after drawing), which is when the benchmark's clock stops.
     */
    async show(msg: ImageMessage, seed: number | undefined): Promise<void> {
        const { requestId, images } = msg;
        const what = images.length > 1 ? `${images.length} samples` : 'image';
        const seedText = seed !== undefined ? `seed ${seed} · ` : '';
        const caption = `${what} · ${seedText}${Math.round(msg.elapsedMs)} ms`;
        const bitmaps = await Promise.all(
            images.map((im) =>
                createImageBitmap(
                    new Blob([asUint8(im.png) as Uint8Array<ArrayBuffer>], { type: 'image/png' }),
                ),
            ),
        );
        if (requestId < this.shownRequest) return;
        this.shownRequest = requestId;
        const figures = bitmaps.map((bmp, index) => {
            const canvas = el('canvas', {
                className: 'synth-image',
                width: bmp.width,
                height: bmp.height,
            });
            canvas.getContext('2d')?.drawImage(bmp, 0, 0);
            bmp.close();
            const save = el('button', {
                className: 'secondary small',
                textContent: 'Save…',
                title: 'Save this image as a PNG',
            });
            save.addEventListener('click', () => this.onSaveImage(requestId, index));
            return el('figure', { 'data-index': index }, canvas, save);
        });
        this.grid.replaceChildren(...figures);
        this.grid.classList.toggle('multi', figures.length > 1);
        this.caption.textContent = caption;
        this.setMessage(undefined);
        await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
        performance.mark(IMAGE_SHOWN_MARK, { detail: { requestId } });
    }
}
