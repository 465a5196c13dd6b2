/**
 * Pointer, wheel and keyboard input on the mask: panning (pan tool, middle button or Space
 * held), zooming (wheel), brush strokes, fills and picking a class (Alt+click).
 */
import type { PreviewViewState } from '../../../server/src/protocol/preview';
import type { Viewport } from './viewport';

/** What the input layer asks of the app. */
export interface InputTarget {
    /** The viewport, once a mask is loaded. */
    viewport(): Viewport | undefined;
    tool(): PreviewViewState['tool'];
    /** A mask pixel under the pointer (integer, maybe outside the mask). */
    strokeStart(x: number, y: number): void;
    strokeMove(x: number, y: number): void;
    strokeEnd(): void;
    fill(x: number, y: number): void;
    pick(x: number, y: number): void;
    hover(x: number, y: number, clientX: number, clientY: number): void;
    leave(): void;
    viewChanged(): void;
}

/** Attaches the mask's input handlers to the viewport element. */
export function attachInput(area: HTMLElement, t: InputTarget): void {
    let panFrom: { x: number; y: number } | undefined;
    let spaceHeld = false;
    let stroking = false;
    const pixel = (e: PointerEvent | MouseEvent): [number, number] => {
        const p = t.viewport()?.toMask(e.clientX, e.clientY) ?? { x: -1, y: -1 };
        return [Math.floor(p.x), Math.floor(p.y)];
    };

    area.addEventListener('pointerdown', (e) => {
        area.focus();
        if (!t.viewport()) return;
        const wantsPan = e.button === 1 || spaceHeld || (e.button === 0 && t.tool() === 'pan');
        if (wantsPan) {
            panFrom = { x: e.clientX, y: e.clientY };
            area.classList.add('panning');
            area.setPointerCapture(e.pointerId);
            e.preventDefault();
            return;
        }
        if (e.button !== 0) return;
        const [x, y] = pixel(e);
        if (e.altKey) t.pick(x, y);
        else if (t.tool() === 'fill') t.fill(x, y);
        else if (t.tool() === 'brush') {
            stroking = true;
            area.setPointerCapture(e.pointerId);
            t.strokeStart(x, y);
        }
        e.preventDefault();
    });
    area.addEventListener('pointermove', (e) => {
        if (panFrom) {
            t.viewport()?.panBy(e.clientX - panFrom.x, e.clientY - panFrom.y);
            panFrom = { x: e.clientX, y: e.clientY };
            t.viewChanged();
            return;
        }
        const [x, y] = pixel(e);
        // Coalesced events keep fast strokes continuous between animation frames.
        if (stroking) {
            const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
            for (const ce of events.length > 0 ? events : [e]) t.strokeMove(...pixel(ce));
        }
        t.hover(x, y, e.clientX, e.clientY);
    });
    const finish = (e: PointerEvent): void => {
        if (area.hasPointerCapture(e.pointerId)) area.releasePointerCapture(e.pointerId);
        if (panFrom) {
            panFrom = undefined;
            area.classList.remove('panning');
        }
        if (stroking) {
            stroking = false;
            t.strokeEnd();
        }
    };
    area.addEventListener('pointerup', finish);
    area.addEventListener('pointercancel', finish);
    area.addEventListener('pointerleave', () => t.leave());
    area.addEventListener(
        'wheel',
        (e) => {
            e.preventDefault();
            t.viewport()?.zoomAt(e.clientX, e.clientY, Math.exp(-e.deltaY * 0.0015));
            t.viewChanged();
        },
        { passive: false },
    );
    window.addEventListener('keydown', (e) => {
        if (e.code === 'Space' && !isTyping(e)) spaceHeld = true;
    });
    window.addEventListener('keyup', (e) => {
        if (e.code === 'Space') spaceHeld = false;
    });
}

/** Whether a key event goes to a text field (then shortcuts stay out of the way). */
export function isTyping(e: KeyboardEvent): boolean {
    const target = e.target as HTMLElement | null;
    return !!target && (target.tagName === 'INPUT' || target.tagName === 'SELECT');
}

/** What the keyboard shortcuts do. */
export interface ShortcutActions {
    tool(t: PreviewViewState['tool']): void;
    fit(): void;
    brushStep(delta: number): void;
}

/**
 * Outside text fields: B (brush), F (fill), H (pan), 0 (fit), [ and ] (brush size). Keys with
 * Ctrl or Cmd are VS Code's: the webview forwards every key press to the workbench, which runs
 * Save for Ctrl+S and its Undo and Redo for Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y (the host turns
 * them into this page's pixels). Handling them here as well would undo twice.
 */
export function attachShortcuts(a: ShortcutActions): void {
    window.addEventListener('keydown', (e) => {
        if (isTyping(e) || e.ctrlKey || e.metaKey) return;
        const k = e.key.toLowerCase();
        if (k === 'b') a.tool('brush');
        else if (k === 'f') a.tool('fill');
        else if (k === 'h') a.tool('pan');
        else if (k === '0') a.fit();
        else if (k === '[' || k === ']') a.brushStep(k === '[' ? -1 : 1);
        else return;
        e.preventDefault();
    });
}
