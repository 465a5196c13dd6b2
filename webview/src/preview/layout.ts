/** The preview page's skeleton: toolbar, banner, mask | synthesized | legend, status bar. */
import { el } from '../common/dom';
import type { Controls } from './toolbar';
import { buildControls } from './toolbar';

/** The elements the app works with. */
export interface Layout {
    controls: Controls;
    banner: HTMLElement;
    /** The mask's viewport (input target) and the stage it transforms. */
    viewport: HTMLElement;
    stage: HTMLElement;
    /** The brush outline that follows the pointer. */
    cursor: HTMLElement;
    synthEl: HTMLElement;
    legendEl: HTMLElement;
}

function pane(id: string, title: string, body: HTMLElement): HTMLElement {
    return el('div', { id }, el('div', { className: 'pane-title' }, title), body);
}

/** Builds the page into `root`. */
export function buildLayout(root: HTMLElement): Layout {
    const bar = el('div', { id: 'toolbar', role: 'toolbar' });
    const status = el('div', { id: 'statusbar' });
    const banner = el('div', { id: 'banner', role: 'status', hidden: true });
    const stage = el('div', { id: 'stage' });
    const cursor = el('div', { id: 'brush-cursor', hidden: true });
    const viewport = el('div', { id: 'viewport', tabIndex: 0 }, stage, cursor);
    const synthEl = el('div', { id: 'synth' });
    const legendEl = el('div', { id: 'legend' });
    root.replaceChildren(
        bar,
        banner,
        el(
            'div',
            { id: 'main' },
            pane('mask-pane', 'Mask', viewport),
            pane('synth-pane', 'Synthesized', synthEl),
            legendEl,
        ),
        status,
    );
    const controls = buildControls(bar, status);
    return { controls, banner, viewport, stage, cursor, synthEl, legendEl };
}
