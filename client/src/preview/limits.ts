/** The preview's fixed limits, free of the vscode API so the benchmark uses the same ones. */

/** Display budget: masks with more pixels are downscaled in the webview (ids stay full size). */
export const MAX_DISPLAY_PIXELS = 4_000_000;

/**
 * Debounce between the last stroke and the synthesis request: long enough to merge the
 * clicks of a quick fill-and-touch-up, short enough to keep stroke-to-image under 300 ms.
 */
export const SYNTH_DEBOUNCE_MS = 80;
