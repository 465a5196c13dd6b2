/**
 * Whether a model can take a mask: every id must be one of the model's classes or its
 * dontcare value. A mismatch is a message for the banner, never an exception.
 */
import type { ModelInfo } from '../../../server/src/protocol/preview';

/** Ids the model cannot take, with their pixel counts. */
export function unsupportedIds(counts: Uint32Array, model: ModelInfo): [number, number][] {
    const bad: [number, number][] = [];
    for (let id = model.labelClasses; id < counts.length; id++) {
        if (counts[id] > 0 && id !== model.dontcareValue) bad.push([id, counts[id]]);
    }
    return bad;
}

/** The banner text for a mismatch, or undefined when the model fits the mask. */
export function mismatchMessage(
    fileName: string,
    counts: Uint32Array,
    model: ModelInfo,
): string | undefined {
    const bad = unsupportedIds(counts, model);
    if (bad.length === 0) return undefined;
    const pixels = bad.reduce((n, [, c]) => n + c, 0);
    const shown = bad.slice(0, 8).map(([id]) => id);
    const more = bad.length > shown.length ? ` and ${bad.length - shown.length} more` : '';
    const dontcare =
        model.dontcareValue !== undefined ? `, ${model.dontcareValue} = unlabeled` : '';
    return (
        `${fileName} has class ids the model cannot take: ${shown.join(', ')}${more} ` +
        `(${pixels.toLocaleString('en-US')} pixels). Model "${model.name}" has ` +
        `${model.labelClasses} classes (ids 0-${model.labelClasses - 1}${dontcare}). ` +
        'Choose a model trained on this dataset, or paint those pixels with a valid class.'
    );
}
