/**
 * What the pointer is over: the status-bar readout (position, id, class name), the legend
 * row of that class, and the brush outline.
 */
import type { ClassTable } from '../../../server/src/protocol/preview';
import { nameOf } from '../common/palette';
import type { Legend } from './legend';
import type { MaskState } from './mask-state';

/** The pointer's last place, kept so the readout refreshes after an edit under it. */
interface Place {
    x: number;
    y: number;
    clientX: number;
    clientY: number;
}

/** Hover feedback on the mask. */
export class HoverReadout {
    private last: Place | undefined;

    constructor(
        private readonly info: HTMLElement,
        private readonly cursor: HTMLElement,
        private readonly viewport: HTMLElement,
        private readonly legend: Legend,
    ) {}

    /** Shows mask pixel (x, y) under the client point; `brush` is its on-screen diameter (0: none). */
    show(p: Place, mask: MaskState, table: ClassTable, brush: number): void {
        this.last = p;
        const id = mask.idAt(p.x, p.y);
        this.info.textContent =
            id === undefined ? '' : `x ${p.x}, y ${p.y} · ${id} ${nameOf(table, id)}`;
        this.legend.hover(id);
        const box = this.viewport.getBoundingClientRect();
        this.cursor.hidden = brush <= 0;
        this.cursor.style.width = `${brush}px`;
        this.cursor.style.height = `${brush}px`;
        this.cursor.style.left = `${p.clientX - box.left - brush / 2}px`;
        this.cursor.style.top = `${p.clientY - box.top - brush / 2}px`;
    }

    /** The last place shown, if the pointer is still over the mask. */
    get place(): Place | undefined {
        return this.last;
    }

    clear(): void {
        this.last = undefined;
        this.info.textContent = '';
        this.cursor.hidden = true;
        this.legend.hover(undefined);
    }
}
