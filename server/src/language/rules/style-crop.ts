/**
 * The style encoder (style = on) vs the crop size: the reference's encoder builds its sixth
 * convolution only at crop 256 or more, yet always resizes its input to 256 x 256, so below
 * 256 its features are 8 x 8 where the linear layers expect 4 x 4 and training fails at the
 * first step. Raising the crop and turning style off are both plausible, and they edit
 * different blocks, so no quick fix is offered.
 */
import type { PropertyNode } from '../ast';
import { diag, type RelatedInfo } from '../catalog';
import type { Rule } from '../checker';
import { Settings, spec, trainContexts } from '../model';

/** The smallest crop the reference's style encoder accepts. */
export const ENCODER_MIN_CROP = 256;

export const styleCrop: Rule = {
    id: 'style-crop',
    phase: 'semantics',
    run(ctx) {
        // One report per place: two train blocks sharing a dataset and generator would repeat it.
        const seen = new Set<number>();
        for (const tc of trainContexts(ctx.model)) {
            if (!tc.train || !tc.generator) continue;
            const g = new Settings(tc.generator, spec('generator'), tc.mode);
            const style = g.get('style');
            if (style.value !== true || style.origin.kind !== 'set') continue;
            const pre = new Settings(tc.dataset, spec('dataset'), tc.mode).child('preprocess');
            const crop = pre.get('crop');
            if (typeof crop.value !== 'number' || crop.value >= ENCODER_MIN_CROP) continue;
            const cropProp = crop.origin.kind === 'set' ? crop.origin.property : undefined;
            const styleProp = style.origin.property;
            const at = cropProp?.value ?? styleProp.value;
            if (seen.has(at.start)) continue;
            seen.add(at.start);
            const related: RelatedInfo[] = [];
            const note = (p: PropertyNode | undefined, m: string): void => {
                if (p && p.value !== at)
                    related.push({ span: { start: p.start, end: p.end }, message: m });
            };
            note(styleProp, 'style = on builds the style encoder');
            note(cropProp, `crop ${crop.value}`);
            const whose = cropProp ? '' : ` (the ${tc.mode} default)`;
            ctx.report(
                diag(
                    'styleCropTooSmall',
                    at,
                    `The style encoder (style = on in generator ${name(tc.generator)}) ` +
                        `needs crop ${ENCODER_MIN_CROP} or more, ` +
                        `but dataset ${name(tc.dataset)} has crop ${crop.value}${whose}: ` +
                        'training would fail at its first step. ' +
                        `Set crop to at least ${ENCODER_MIN_CROP} ` +
                        "in the dataset's preprocess block, " +
                        'or turn style off.',
                    { related },
                ),
            );
        }
    },
};

function name(b: { name?: { text: string } }): string {
    return b.name ? `'${b.name.text}'` : '(unnamed)';
}
