/**
 * The label-map preview: mask, legend, synthesized image, paint tools. Holds the state and
 * turns host messages and user input into redraws and messages back to the host.
 *
 * Undo and redo belong to VS Code: each stroke or fill goes to the host as an edit on VS
 * Code's stack, and the page's buttons ask the host to run VS Code's Undo or Redo, whose
 * pixels come back as a `change`. The page never undoes by itself, so Ctrl+Z (which VS Code
 * takes from the page for its own Undo) undoes exactly once.
 */
import type {
    ChangeMessage,
    ClassTable,
    HostToWebview,
    InitMessage,
    ModelInfo,
    PreviewViewState,
    WebviewToHost,
} from '../../../server/src/protocol/preview';
import { asIds } from '../common/typed';
import type { HostApi } from '../common/vscode-api';
import { mismatchMessage } from './compat';
import { attachInput, attachShortcuts } from './input';
import { HoverReadout } from './hover';
import { Legend } from './legend';
import type { Change } from './mask-state';
import { MaskState, runsOf } from './mask-state';
import { MaskRenderer } from './render';
import { SynthScheduler } from './synth-scheduler';
import type { Timers } from './synth-scheduler';
import { SynthView } from './synth-view';
import type { Controls } from './toolbar';
import {
    fillClassSelect,
    setControlsEnabled,
    showModel,
    showFileInfo,
    showSelectedClass,
    showView,
    wireControls,
} from './toolbar';
import { buildLayout } from './layout';
import { viewFrom } from './view-state';
import { Viewport } from './viewport';

/** Performance marks the benchmark reads: a stroke or fill ends, a request leaves, its image arrives. */
export const STROKE_END_MARK = 'spade:stroke-end';
export const REQUEST_SENT_MARK = 'spade:request-sent';
export const IMAGE_RECEIVED_MARK = 'spade:image-received';

/** The document's history as the host last told it (VS Code's stack and dirty state). */
interface HistoryState {
    dirty: boolean;
    canUndo: boolean;
    canRedo: boolean;
}

/** Everything that exists once a mask is loaded. */
interface Loaded {
    init: InitMessage;
    mask: MaskState;
    renderer: MaskRenderer;
    viewport: Viewport;
    mismatch: string | undefined;
    history: HistoryState;
}

/** The preview application. */
export class PreviewApp {
    private readonly c: Controls;
    private readonly legend: Legend;
    private readonly synth: SynthView;
    private readonly scheduler: SynthScheduler;
    private readonly banner: HTMLElement;
    private readonly viewportEl: HTMLElement;
    private readonly stage: HTMLElement;
    private view: PreviewViewState;
    private loaded: Loaded | undefined;
    private readonly hoverReadout: HoverReadout;

    constructor(
        private readonly host: HostApi<WebviewToHost, PreviewViewState>,
        root: HTMLElement,
        timers: Timers,
    ) {
        this.view = viewFrom(host.getState());
        const layout = buildLayout(root);
        this.banner = layout.banner;
        this.stage = layout.stage;
        this.viewportEl = layout.viewport;
        const { synthEl, legendEl } = layout;
        this.c = layout.controls;
        this.legend = new Legend(legendEl, (id) => this.selectClass(id));
        this.hoverReadout = new HoverReadout(
            this.c.hoverInfo,
            layout.cursor,
            this.viewportEl,
            this.legend,
        );
        this.synth = new SynthView(synthEl, (requestId, index) =>
            this.host.postMessage({ type: 'saveImage', requestId, index }),
        );
        this.scheduler = new SynthScheduler(
            {
                build: (requestId) => this.buildRequest(requestId),
                post: (m) => {
                    if (m.type === 'synthesize') {
                        performance.mark(REQUEST_SENT_MARK, { detail: { requestId: m.requestId } });
                    }
                    this.host.postMessage(m);
                },
                onBusy: (busy) => this.synth.setBusy(busy),
            },
            timers,
            150,
        );
        this.wireControls();
        attachInput(this.viewportEl, this.inputTarget());
        new ResizeObserver(() => {
            if (this.loaded?.viewport.fitted) this.loaded.viewport.fit();
        }).observe(this.viewportEl);
        setControlsEnabled(this.c, false);
    }

    /** Handles one message from the host. */
    handle(msg: HostToWebview): void {
        switch (msg.type) {
            case 'init':
                this.load(msg);
                break;
            case 'model':
                this.modelChanged(msg.model, msg.modelMessage, msg.classes);
                break;
            case 'change':
                this.hostChanged(msg);
                break;
            case 'image':
                performance.mark(IMAGE_RECEIVED_MARK, { detail: { requestId: msg.requestId } });
                if (this.scheduler.settle(msg.requestId)) {
                    const style = this.loaded?.init.model?.hasStyleEncoder;
                    void this.synth.show(msg, style ? this.view.seed : undefined);
                }
                break;
            case 'synthesisFailed':
                if (this.scheduler.settle(msg.requestId)) this.synth.setMessage(msg.message);
                break;
            case 'saved':
                if (msg.ok) {
                    if (this.loaded) this.loaded.history.dirty = false;
                    this.showBanner(undefined);
                } else {
                    this.showBanner('error', msg.message ?? 'Saving failed.');
                }
                this.updateHistory();
                break;
            case 'notice':
                this.showBanner(msg.level, msg.message);
                break;
            case 'style':
                this.c.style.textContent = msg.name ? `Style: ${msg.name}` : 'Style image…';
                this.scheduler.sendNow();
                break;
        }
    }

    private load(init: InitMessage): void {
        if (init.fatal) {
            this.loaded = undefined;
            this.showBanner('error', init.fatal);
            setControlsEnabled(this.c, false);
            this.synth.setMessage('Nothing to synthesize.');
            return;
        }
        const { width, height, format } = init.mask;
        const wide = format.kind === 'gray' && format.bitDepth === 16;
        const ids = asIds(init.mask.ids, wide);
        const previous = this.loaded;
        // VS Code reloads the page when the panel is hidden and shown: the host sends the edited
        // ids back with the state of its history, which VS Code's Undo still walks.
        const mask = new MaskState(ids, width, height);
        const history = { dirty: init.dirty, canUndo: init.canUndo, canRedo: init.canRedo };
        const renderer = new MaskRenderer(mask, init.classes, init.maxDisplayPixels);
        this.stage.replaceChildren(renderer.canvas);
        this.stage.style.width = `${width}px`;
        this.stage.style.height = `${height}px`;
        const viewport = new Viewport(this.viewportEl, this.stage, width, height, () =>
            this.viewMoved(),
        );
        this.loaded = { init, mask, renderer, viewport, mismatch: undefined, history };
        const sameSize =
            previous && previous.mask.width === width && previous.mask.height === height;
        if (sameSize && !previous.viewport.fitted)
            viewport.set(previous.viewport.zoom, previous.viewport.panX, previous.viewport.panY);
        else if (this.view.zoom > 0 && init.reason === 'open')
            viewport.set(this.view.zoom, this.view.panX, this.view.panY);
        else viewport.fit();

        const present = mask.presentIds();
        fillClassSelect(this.c.classSelect, init.classes, present, mask.maxId);
        if (this.view.selectedClass < 0 || this.view.selectedClass > mask.maxId) {
            this.view.selectedClass =
                present.find((id) => id !== init.classes.dontcare?.value) ?? 0;
        }
        showFileInfo(this.c, init, renderer.factor);
        this.scheduler.debounceMs = init.synthDebounceMs;
        setControlsEnabled(this.c, true);
        this.applyModel(init.model, init.modelMessage);
        this.refreshAfterChange();
        this.applyView();
        this.showBanner(this.loaded.mismatch ? 'error' : undefined, this.loaded.mismatch);
        this.scheduler.sendNow();
    }

    private modelChanged(
        model: ModelInfo | null,
        message: string | undefined,
        classes: ClassTable,
    ): void {
        const l = this.loaded;
        if (!l) return;
        l.init = { ...l.init, model, modelMessage: message, classes };
        l.renderer.setTable(classes);
        fillClassSelect(this.c.classSelect, classes, l.mask.presentIds(), l.mask.maxId);
        this.applyModel(model, message);
        this.refreshAfterChange();
        if (model && !l.mismatch) this.synth.setMessage(undefined);
        this.scheduler.sendNow();
    }

    private applyModel(model: ModelInfo | null, message: string | undefined): void {
        showModel(this.c, model);
        if (!model) {
            this.synth.setMessage(
                message ?? 'No model is loaded. Choose one with "Choose model…".',
            );
        }
    }

    private buildRequest(requestId: number): (WebviewToHost & { type: 'synthesize' }) | undefined {
        const l = this.loaded;
        if (!l || !l.init.model || l.mismatch) return undefined;
        const style = l.init.model.hasStyleEncoder;
        return {
            type: 'synthesize',
            requestId,
            ids: l.mask.ids.slice(),
            width: l.mask.width,
            height: l.mask.height,
            seed: style ? this.view.seed : 0,
            samples: style ? this.view.samples : 1,
        };
    }

    /** After the ids changed: legend, class picker extras, model fit, history buttons. */
    private refreshAfterChange(): void {
        const l = this.loaded;
        if (!l) return;
        const total = l.mask.width * l.mask.height;
        this.legend.update(l.mask.counts, total, l.init.classes, this.view.selectedClass);
        showSelectedClass(this.c, l.init.classes, this.view.selectedClass);
        const before = l.mismatch;
        l.mismatch = l.init.model
            ? mismatchMessage(l.init.fileName, l.mask.counts, l.init.model)
            : undefined;
        if (l.mismatch) {
            this.scheduler.cancelAll();
            this.synth.setMessage('The mask does not fit the model; see the message above.');
            this.showBanner('error', l.mismatch);
        } else if (before) {
            this.showBanner(undefined);
            this.synth.setMessage(undefined);
        }
        this.updateHistory();
        const p = this.hoverReadout.place;
        if (p) this.hover(p.x, p.y, p.clientX, p.clientY);
    }

    /** The user painted: the host gets the ids as a new edit on VS Code's stack. */
    private changed(change: Change | undefined): void {
        const l = this.loaded;
        if (!l || !change) return;
        this.host.postMessage({
            type: 'edit',
            label: change.label,
            ids: l.mask.ids.slice(),
            runs: runsOf(change.indices),
        });
        // What VS Code does with a new edit: it can be undone, nothing can be redone.
        l.history = { dirty: true, canUndo: true, canRedo: false };
        this.redrawAfter(change);
    }

    /** The host set pixels: VS Code's undo or redo, or another panel painting the file. */
    private hostChanged(msg: ChangeMessage): void {
        const l = this.loaded;
        if (!l) return;
        const change = l.mask.apply(msg.label, msg.runs, msg.ids);
        if (!change) {
            this.host.postMessage({
                type: 'error',
                message:
                    `${msg.label}: the host's change does not fit ` +
                    `the ${l.mask.width}x${l.mask.height} mask`,
            });
            return;
        }
        l.history = { dirty: msg.dirty, canUndo: msg.canUndo, canRedo: msg.canRedo };
        this.redrawAfter(change);
    }

    private redrawAfter(change: Change): void {
        const l = this.loaded;
        if (!l) return;
        if (change.indices.length > 0) l.renderer.draw(l.mask.rectOf(change));
        this.refreshAfterChange();
        this.scheduler.scheduleSoon();
    }

    /** The buttons: VS Code's own Undo or Redo, through the host (see the top of this file). */
    private undoRedo(action: 'undo' | 'redo'): void {
        this.host.postMessage({ type: 'undoRedo', action });
    }

    private save(): void {
        const l = this.loaded;
        if (!l) return;
        this.host.postMessage({
            type: 'save',
            ids: l.mask.ids.slice(),
            width: l.mask.width,
            height: l.mask.height,
        });
    }

    private selectClass(id: number): void {
        this.view.selectedClass = id;
        this.refreshAfterChange();
        this.persist();
    }

    private setTool(tool: PreviewViewState['tool']): void {
        this.view.tool = tool;
        this.applyView();
        this.persist();
    }

    private applyView(): void {
        showView(this.c, this.view);
        this.viewportEl.className = `tool-${this.view.tool}`;
    }

    private updateHistory(): void {
        const h = this.loaded?.history;
        this.c.undo.disabled = !h?.canUndo;
        this.c.redo.disabled = !h?.canRedo;
        this.c.dirtyInfo.textContent = h?.dirty ? '● unsaved' : '';
    }

    private viewMoved(): void {
        const v = this.loaded?.viewport;
        if (!v) return;
        this.view.zoom = v.zoom;
        this.view.panX = v.panX;
        this.view.panY = v.panY;
        this.c.zoomInfo.textContent = `${Math.round(v.zoom * 100)}%`;
    }

    private persist(): void {
        this.host.setState({ ...this.view });
    }

    private showBanner(level: 'info' | 'warning' | 'error' | undefined, text?: string): void {
        this.banner.hidden = level === undefined;
        this.banner.className = level ?? '';
        this.banner.textContent = text ?? '';
    }

    private inputTarget(): Parameters<typeof attachInput>[1] {
        return {
            viewport: () => this.loaded?.viewport,
            tool: () => (this.loaded ? this.view.tool : 'pan'),
            strokeStart: (x, y) => {
                const l = this.loaded;
                if (l)
                    l.renderer.draw(
                        l.mask.beginStroke(this.view.selectedClass, this.view.brushSize, x, y),
                    );
            },
            strokeMove: (x, y) => {
                const r = this.loaded?.mask.extendStroke(x, y);
                if (r) this.loaded?.renderer.draw(r);
            },
            strokeEnd: () => {
                performance.mark(STROKE_END_MARK);
                this.changed(this.loaded?.mask.endStroke());
            },
            fill: (x, y) => {
                performance.mark(STROKE_END_MARK);
                this.changed(this.loaded?.mask.fill(x, y, this.view.selectedClass));
            },
            pick: (x, y) => {
                const id = this.loaded?.mask.idAt(x, y);
                if (id !== undefined) this.selectClass(id);
            },
            hover: (x, y, cx, cy) => this.hover(x, y, cx, cy),
            leave: () => this.hoverReadout.clear(),
            viewChanged: () => this.persist(),
        };
    }

    private hover(x: number, y: number, clientX: number, clientY: number): void {
        const l = this.loaded;
        if (!l) return;
        const brush = this.view.tool === 'brush' ? this.view.brushSize * l.viewport.zoom : 0;
        this.hoverReadout.show({ x, y, clientX, clientY }, l.mask, l.init.classes, brush);
    }

    private wireControls(): void {
        wireControls(this.c, {
            tool: (t) => this.setTool(t),
            brushSize: (n) => this.setBrushSize(n),
            selectClass: (id) => this.selectClass(id),
            undo: () => this.undoRedo('undo'),
            redo: () => this.undoRedo('redo'),
            save: () => this.save(),
            fit: () => this.loaded?.viewport.fit(),
            seed: (n) => this.seedOrSamples({ seed: n }),
            samples: (n) => this.seedOrSamples({ samples: n }),
            pickStyle: () => this.host.postMessage({ type: 'pickStyle' }),
            chooseModel: () => this.host.postMessage({ type: 'chooseModel' }),
        });
        attachShortcuts({
            tool: (t) => this.setTool(t),
            fit: () => this.loaded?.viewport.fit(),
            brushStep: (d) => this.setBrushSize(this.view.brushSize + d),
        });
    }

    private setBrushSize(n: number): void {
        this.view.brushSize = Math.min(256, Math.max(1, n));
        this.applyView();
        this.persist();
    }

    private seedOrSamples(change: Partial<Pick<PreviewViewState, 'seed' | 'samples'>>): void {
        Object.assign(this.view, change);
        this.applyView();
        this.persist();
        this.scheduler.sendNow();
    }
}
