/**
 * Checks messages from the webview before the host acts on them: a webview is a separate
 * page, so its messages are validated like any input (and typed arrays may arrive as other
 * array-likes depending on the VS Code version).
 */
import type { LabelIds, WebviewToHost } from '../../../server/src/protocol/preview';

type Raw = Record<string, unknown>;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** Label ids from a message field: a typed array as is, a plain array or indexed object copied. */
export function idsFrom(
    v: unknown,
    expected: number,
    dtype: 'uint8' | 'uint16',
): LabelIds | undefined {
    if (v instanceof Uint8Array || v instanceof Uint16Array)
        return v.length === expected ? v : undefined;
    if (v === null || typeof v !== 'object') return undefined;
    const src = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    if (src.length !== expected || !src.every((x) => isInt(x) && x >= 0)) return undefined;
    return dtype === 'uint8' ? Uint8Array.from(src as number[]) : Uint16Array.from(src as number[]);
}

/** Pixel runs (start, length pairs, ascending, inside `pixels`) from a message field. */
export function runsFrom(v: unknown, pixels: number): Uint32Array | undefined {
    if (v === null || typeof v !== 'object') return undefined;
    const src: ArrayLike<unknown> =
        v instanceof Uint32Array || Array.isArray(v) ? v : Object.values(v);
    if (src.length % 2 !== 0) return undefined;
    let end = 0;
    for (let k = 0; k < src.length; k += 2) {
        const [start, n] = [src[k], src[k + 1]];
        if (!isInt(start) || !isInt(n) || start < end || n < 1 || start + n > pixels)
            return undefined;
        end = start + n;
    }
    return v instanceof Uint32Array ? v : Uint32Array.from(src as number[]);
}

/**
 * The message as a typed `WebviewToHost`, or a reason why it is not one. `pixels` and
 * `dtype` describe the open mask, which every ids field must match.
 */
export function parseWebviewMessage(
    raw: unknown,
    pixels: number,
    dtype: 'uint8' | 'uint16',
): WebviewToHost | string {
    if (raw === null || typeof raw !== 'object') return 'message is not an object';
    const m = raw as Raw;
    const ids = (): LabelIds | undefined => idsFrom(m.ids, pixels, dtype);
    switch (m.type) {
        case 'ready':
        case 'chooseModel':
            return { type: m.type };
        case 'pickStyle':
            return { type: 'pickStyle', clear: m.clear === true };
        case 'cancel':
            return isInt(m.requestId)
                ? { type: 'cancel', requestId: m.requestId }
                : 'cancel: bad requestId';
        case 'error':
            return { type: 'error', message: String(m.message) };
        case 'saveImage':
            return isInt(m.requestId) && isInt(m.index)
                ? { type: 'saveImage', requestId: m.requestId, index: m.index }
                : 'saveImage: bad requestId or index';
        case 'edit': {
            const v = ids();
            const runs = runsFrom(m.runs, pixels);
            if (!v || !runs) return 'edit: bad ids or runs';
            return { type: 'edit', label: String(m.label), ids: v, runs };
        }
        case 'undoRedo':
            return m.action === 'undo' || m.action === 'redo'
                ? { type: 'undoRedo', action: m.action }
                : `undoRedo: bad action ${JSON.stringify(m.action)}`;
        case 'save': {
            const v = ids();
            if (!v || !isInt(m.width) || !isInt(m.height)) return 'save: bad ids or size';
            return { type: 'save', ids: v, width: m.width, height: m.height };
        }
        case 'synthesize': {
            const v = ids();
            const ok =
                v &&
                isInt(m.requestId) &&
                isInt(m.width) &&
                isInt(m.height) &&
                isInt(m.seed) &&
                isInt(m.samples);
            if (!ok) return 'synthesize: bad fields';
            return {
                type: 'synthesize',
                requestId: m.requestId as number,
                ids: v,
                width: m.width as number,
                height: m.height as number,
                seed: m.seed as number,
                samples: Math.min(8, Math.max(1, m.samples as number)),
            };
        }
        default:
            return `unknown message type ${JSON.stringify(m.type)}`;
    }
}
