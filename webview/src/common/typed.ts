/**
 * VS Code transfers typed arrays in webview messages as typed arrays (since 1.57); these
 * guards keep the page working if one ever arrives as a plain array or indexed object.
 */

function values(v: unknown): number[] {
    if (Array.isArray(v)) return v as number[];
    if (v !== null && typeof v === 'object') return Object.values(v as Record<string, number>);
    return [];
}

/** The value as a Uint8Array (copied only when it is not one already). */
export function asUint8(v: unknown): Uint8Array {
    return v instanceof Uint8Array ? v : Uint8Array.from(values(v));
}

/** Label ids as a typed array of the width the mask needs (16-bit when `wide`). */
export function asIds(v: unknown, wide: boolean): Uint8Array | Uint16Array {
    if (v instanceof Uint16Array || (!wide && v instanceof Uint8Array)) return v;
    if (v instanceof Uint8Array) return Uint16Array.from(v);
    return wide ? Uint16Array.from(values(v)) : Uint8Array.from(values(v));
}
