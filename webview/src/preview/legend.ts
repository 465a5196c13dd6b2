/**
 * The legend: one row per class present in the mask (plus the selected class), with its
 * colour, id, name and share of pixels, largest first. Clicking a row picks that class.
 */
import type { ClassTable } from '../../../server/src/protocol/preview';
import { el, percent } from '../common/dom';
import { colorOf, cssColor, nameOf } from '../common/palette';

/** Renders the legend table into its container. */
export class Legend {
    private rows = new Map<number, HTMLTableRowElement>();

    constructor(
        private readonly container: HTMLElement,
        private readonly onPick: (id: number) => void,
    ) {}

    /** Rebuilds the rows from the per-class counts. */
    update(counts: Uint32Array, total: number, table: ClassTable, selected: number): void {
        const ids: number[] = [];
        for (let id = 0; id < counts.length; id++) if (counts[id] > 0) ids.push(id);
        if (!ids.includes(selected)) ids.push(selected);
        ids.sort((a, b) => counts[b] - counts[a] || a - b);
        const body = el('tbody');
        this.rows.clear();
        for (const id of ids) {
            const share = total > 0 ? counts[id] / total : 0;
            const swatch = el('span', { className: 'swatch' });
            swatch.style.background = cssColor(colorOf(table, id));
            const row = el(
                'tr',
                {
                    className: id === selected ? 'legend-row selected' : 'legend-row',
                    title: `Paint with ${nameOf(table, id)} (id ${id})`,
                    'data-id': id,
                    'data-count': counts[id],
                    'data-share': share,
                },
                el('td', {}, swatch),
                el('td', { className: 'legend-id' }, String(id)),
                el('td', { className: 'legend-name' }, nameOf(table, id)),
                el('td', { className: 'legend-share' }, percent(share)),
            );
            row.addEventListener('click', () => this.onPick(id));
            this.rows.set(id, row);
            body.append(row);
        }
        const head = el(
            'thead',
            {},
            el(
                'tr',
                {},
                el('th', {}),
                el('th', {}, 'id'),
                el('th', {}, 'class'),
                el('th', {}, 'share'),
            ),
        );
        this.container.replaceChildren(
            el('table', { id: 'legend-table', className: 'legend' }, head, body),
        );
    }

    /** Highlights the row of the class under the cursor (undefined: none). */
    hover(id: number | undefined): void {
        for (const [rid, row] of this.rows) row.classList.toggle('hovered', rid === id);
    }
}
