/** The preview's toolbar and status bar: built once, then read and updated by the app. */
import type {
    ClassTable,
    InitMessage,
    ModelInfo,
    PreviewViewState,
} from '../../../server/src/protocol/preview';
import { el } from '../common/dom';
import { colorOf, cssColor, nameOf } from '../common/palette';

/** The controls the app wires up. */
export interface Controls {
    tools: Record<PreviewViewState['tool'], HTMLButtonElement>;
    brushSize: HTMLInputElement;
    classSelect: HTMLSelectElement;
    classSwatch: HTMLElement;
    undo: HTMLButtonElement;
    redo: HTMLButtonElement;
    save: HTMLButtonElement;
    seed: HTMLInputElement;
    seedRandom: HTMLButtonElement;
    samples: HTMLInputElement;
    style: HTMLButtonElement;
    model: HTMLButtonElement;
    fit: HTMLButtonElement;
    fileInfo: HTMLElement;
    hoverInfo: HTMLElement;
    zoomInfo: HTMLElement;
    dirtyInfo: HTMLElement;
}

function button(id: string, text: string, title: string, secondary = true): HTMLButtonElement {
    return el('button', { id, textContent: text, title, className: secondary ? 'secondary' : '' });
}

function group(label: string, ...children: HTMLElement[]): HTMLElement {
    return el('div', { className: 'group', role: 'group', 'aria-label': label }, ...children);
}

/** Builds the toolbar into `bar` and the status line into `status`. */
export function buildControls(bar: HTMLElement, status: HTMLElement): Controls {
    const c: Controls = {
        tools: {
            pan: button('tool-pan', 'Pan', 'Pan and inspect (H); drag to move, wheel to zoom'),
            brush: button('tool-brush', 'Brush', 'Paint with the selected class (B)'),
            fill: button('tool-fill', 'Fill', 'Flood-fill a region with the selected class (F)'),
        },
        brushSize: el('input', {
            id: 'brush-size',
            type: 'number',
            min: 1,
            max: 256,
            value: '8',
            title: 'Brush size in mask pixels ([ and ] change it)',
        }),
        classSelect: el('select', { id: 'class-select', title: 'Class to paint with' }),
        classSwatch: el('span', { id: 'class-swatch', className: 'swatch' }),
        undo: button('undo', 'Undo', 'Undo (Ctrl+Z)'),
        redo: button('redo', 'Redo', 'Redo (Ctrl+Shift+Z or Ctrl+Y)'),
        save: button('save', 'Save', 'Save the mask in its own format (Ctrl+S)', false),
        seed: el('input', {
            id: 'seed',
            type: 'number',
            min: 0,
            step: 1,
            value: '0',
            title: 'Seed',
        }),
        seedRandom: button('seed-random', 'New seed', 'Pick a random seed'),
        samples: el('input', {
            id: 'samples',
            type: 'number',
            min: 1,
            max: 8,
            value: '1',
            title: 'Number of samples (models with a style encoder)',
        }),
        style: button('style', 'Style image…', 'Synthesize in the style of an image'),
        model: button('model', 'Model…', 'Choose the model'),
        fit: button('fit', 'Fit', 'Fit the mask in the view (0)'),
        fileInfo: el('span', { id: 'file-info' }),
        hoverInfo: el('span', { id: 'hover-info' }),
        zoomInfo: el('span', { id: 'zoom-info' }),
        dirtyInfo: el('span', { id: 'dirty-info' }),
    };
    bar.replaceChildren(
        group('Tools', c.tools.pan, c.tools.brush, c.tools.fill),
        group(
            'Brush',
            el('label', { htmlFor: 'brush-size' }, 'Size'),
            c.brushSize,
            c.classSwatch,
            c.classSelect,
        ),
        group('History', c.undo, c.redo, c.save),
        group(
            'Synthesis',
            el('label', { htmlFor: 'seed' }, 'Seed'),
            c.seed,
            c.seedRandom,
            el('label', { htmlFor: 'samples' }, 'Samples'),
            c.samples,
            c.style,
            c.model,
        ),
        group('View', c.fit),
    );
    status.replaceChildren(c.fileInfo, c.dirtyInfo, c.hoverInfo, c.zoomInfo);
    return c;
}

/** Fills the class picker with every class the table names, plus the ids present. */
export function fillClassSelect(
    select: HTMLSelectElement,
    table: ClassTable,
    present: number[],
    maxId: number,
): void {
    const ids = new Set<number>();
    for (let id = 0; id < table.names.length && id <= maxId; id++) ids.add(id);
    if (table.dontcare && table.dontcare.value <= maxId) ids.add(table.dontcare.value);
    for (const id of present) ids.add(id);
    const options = [...ids]
        .sort((a, b) => a - b)
        .map((id) => el('option', { value: String(id) }, `${id} ${nameOf(table, id)}`));
    select.replaceChildren(...options);
}

/** Shows the selected class in the picker and its swatch. */
export function showSelectedClass(c: Controls, table: ClassTable, id: number): void {
    c.classSelect.value = String(id);
    c.classSwatch.style.background = cssColor(colorOf(table, id));
    c.classSwatch.title = `${id} ${nameOf(table, id)}`;
}

/** What the controls do; values are already clamped to their ranges. */
export interface ControlActions {
    tool(t: PreviewViewState['tool']): void;
    brushSize(n: number): void;
    selectClass(id: number): void;
    undo(): void;
    redo(): void;
    save(): void;
    fit(): void;
    seed(n: number): void;
    samples(n: number): void;
    pickStyle(): void;
    chooseModel(): void;
}

/** Connects the controls to their actions. */
export function wireControls(c: Controls, a: ControlActions): void {
    for (const [name, b] of Object.entries(c.tools)) {
        b.addEventListener('click', () => a.tool(name as PreviewViewState['tool']));
    }
    const int = (input: HTMLInputElement, lo: number, hi: number): number | undefined => {
        const v = input.valueAsNumber;
        return Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : undefined;
    };
    const onInt = (
        input: HTMLInputElement,
        lo: number,
        hi: number,
        fn: (n: number) => void,
    ): void => {
        input.addEventListener('change', () => {
            const v = int(input, lo, hi);
            if (v !== undefined) fn(v);
        });
    };
    onInt(c.brushSize, 1, 256, (n) => a.brushSize(n));
    onInt(c.seed, 0, 2 ** 31 - 1, (n) => a.seed(n));
    onInt(c.samples, 1, 8, (n) => a.samples(n));
    c.classSelect.addEventListener('change', () => a.selectClass(Number(c.classSelect.value)));
    c.undo.addEventListener('click', () => a.undo());
    c.redo.addEventListener('click', () => a.redo());
    c.save.addEventListener('click', () => a.save());
    c.fit.addEventListener('click', () => a.fit());
    c.seedRandom.addEventListener('click', () => a.seed(Math.floor(Math.random() * 2 ** 31)));
    c.style.addEventListener('click', () => a.pickStyle());
    c.model.addEventListener('click', () => a.chooseModel());
}

const STYLE_ONLY = 'Only models with a style encoder use seeds, samples and style images. ';

/** Shows the model: its name, and seed/samples/style only enabled for style models. */
export function showModel(c: Controls, model: ModelInfo | null): void {
    const style = !!model?.hasStyleEncoder;
    for (const b of [c.seed, c.seedRandom, c.samples, c.style]) {
        b.disabled = !style;
        b.title = (style ? '' : STYLE_ONLY) + b.title.replace(STYLE_ONLY, '');
    }
    c.model.textContent = model ? `Model: ${model.name}` : 'Choose model…';
}

/** Enables the editing controls once a mask is loaded (disables them before or on a fatal error). */
export function setControlsEnabled(c: Controls, on: boolean): void {
    for (const b of [...Object.values(c.tools), c.save, c.fit]) b.disabled = !on;
    c.brushSize.disabled = !on;
    c.classSelect.disabled = !on;
    if (!on) {
        c.undo.disabled = true;
        c.redo.disabled = true;
    }
}

/** Shows the view state in the controls (tool buttons, brush size, seed, samples). */
export function showView(c: Controls, view: PreviewViewState): void {
    for (const [name, b] of Object.entries(c.tools)) {
        b.classList.toggle('active', name === view.tool);
        b.setAttribute('aria-pressed', String(name === view.tool));
    }
    c.brushSize.value = String(view.brushSize);
    c.seed.value = String(view.seed);
    c.samples.value = String(view.samples);
}

/** File name, size, storage format and display downscale in the status bar. */
export function showFileInfo(c: Controls, init: InitMessage, factor: number): void {
    const f = init.mask.format;
    const format =
        f.kind === 'palette'
            ? `palette PNG (${f.palette.length} colours)`
            : `${f.bitDepth}-bit ids`;
    const scale = factor > 1 ? ` · shown at 1/${factor}` : '';
    c.fileInfo.textContent = `${init.fileName} · ${init.mask.width}×${init.mask.height} · ${format}${scale}`;
}
