/**
 * Crop size vs upsampling vs aspect ratio: the latent grid must be whole and the generated
 * image height must equal the training image height (then they agree at every scale). The
 * reference only fails on this at run time, with a tensor size mismatch in a loss.
 */
import type { Upsampling } from '../../engine/options';
import { childBlocks, type PropertyNode } from '../ast';
import { diag, type RelatedInfo } from '../catalog';
import type { Rule } from '../checker';
import { UPSAMPLING_DOUBLINGS, latentGrid, nearestValidCrops } from '../geometry';
import {
    findChild,
    findProperty,
    Settings,
    spec,
    trainContexts,
    type TrainContext,
} from '../model';
import type { Span } from '../text';

export const cropGeometry: Rule = {
    id: 'crop-geometry',
    phase: 'semantics',
    run(ctx) {
        for (const tc of trainContexts(ctx.model)) {
            const pre = new Settings(tc.dataset, spec('dataset'), tc.mode).child('preprocess');
            const crop = pre.num('crop');
            const aspect = pre.num('aspect');
            const { n, how, upProp } = doublings(tc);
            const g = latentGrid(crop, aspect, n);
            if (g.agree) continue;
            const cropProp = validWritten(pre, 'crop');
            const aspectProp = validWritten(pre, 'aspect');
            const related: RelatedInfo[] = [];
            const note = (p: PropertyNode | undefined, m: string): void => {
                if (p) related.push({ span: { start: p.start, end: p.end }, message: m });
            };
            const fallback: Span = tc.train
                ? (findProperty(tc.train, 'data')?.value ?? tc.train.keyword)
                : (tc.dataset.name ?? tc.dataset.keyword);
            const valid = nearestValidCrops(crop, aspect, n);
            const scale = 2 ** n;
            if (!g.whole) {
                note(upProp, `${how}: ${n} doublings`);
                note(aspectProp, `aspect ${aspect}`);
                const hint = valid.length
                    ? ` Use crop ${valid.join(' or ')}.`
                    : ' Use a crop that is a multiple of it.';
                ctx.report(
                    diag(
                        'latentNotWhole',
                        cropProp?.value ?? fallback,
                        `Crop ${crop} is not a multiple of ${scale} (2^${n} for ${how}), so the generator's latent grid would be ${fmt(g.sw)} wide.${hint}`,
                        {
                            related,
                            data: { replacements: valid.map(String), span: cropProp?.value },
                        },
                    ),
                );
                continue;
            }
            note(cropProp, `crop ${crop}`);
            note(upProp, `${how}: ${n} doublings`);
            const exact = crop / g.generatedHeight;
            const hint = valid.length
                ? ` Use crop ${valid.join(' or ')}, or aspect ${fmt(exact)}.`
                : ` Use aspect ${fmt(exact)}.`;
            ctx.report(
                diag(
                    'heightMismatch',
                    aspectProp?.value ?? cropProp?.value ?? fallback,
                    `Heights disagree: the generator makes images ${g.generatedHeight} px high (a grid of ${g.sw} x ${g.sh} doubled ${n} times), but crop ${crop} with aspect ${aspect} gives images ${g.imageHeight} px high.${hint}`,
                    { related, data: { replacements: valid.map(String), span: cropProp?.value } },
                ),
            );
        }
    },
};

/** Doublings of the generator: counted from its layers, or from its upsampling option. */
function doublings(tc: TrainContext): { n: number; how: string; upProp?: PropertyNode } {
    const layers = findChild(tc.generator, 'layers');
    if (layers) {
        const ups = childBlocks(layers).filter(
            (b) =>
                b.keyword.text === 'resblock' &&
                findProperty(b, 'resample')?.value.kind === 'name' &&
                (findProperty(b, 'resample')?.value as { text: string }).text === 'up',
        );
        return { n: ups.length, how: `${ups.length} 'up' blocks in the generator's layers` };
    }
    const s = new Settings(tc.generator, spec('generator'), tc.mode);
    const up = s.get('upsampling');
    const mode = up.origin.kind === 'mode' ? ` (the ${tc.mode} default)` : '';
    return {
        n: UPSAMPLING_DOUBLINGS[up.value as Upsampling],
        how: `${String(up.value)} upsampling${mode}`,
        upProp: validWritten(s, 'upsampling'),
    };
}

function fmt(x: number): string {
    return Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/0+$/, '');
}

/** The property node when it is written and valid; an invalid one is reported elsewhere. */
function validWritten(s: Settings, name: string): PropertyNode | undefined {
    const e = s.get(name);
    return e.origin.kind === 'set' ? e.origin.property : undefined;
}
