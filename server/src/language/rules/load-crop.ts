/**
 * Load size vs crop size per preprocessing mode: a random crop must fit in the resized image,
 * and a mode that does not crop must already give images as wide as the generator makes.
 * The reference finds either only when a batch fails to stack or a loss sees two sizes.
 */
import { diag } from '../catalog';
import type { Rule } from '../checker';
import { Settings, spec } from '../model';
import type { DatasetMode } from '../../engine/options';

/** Modes that resize to `load` and then take a random crop. */
const CROPPING = new Set(['resize_and_crop', 'scale_width_and_crop', 'scale_shortside_and_crop']);
/** Modes that resize to `load` and keep it. */
const NOT_CROPPING = new Set(['scale_width', 'scale_shortside']);

export const loadCrop: Rule = {
    id: 'load-crop',
    phase: 'semantics',
    run(ctx) {
        for (const ds of ctx.model.symbols.get('dataset')?.values() ?? []) {
            const mode = new Settings(ds, spec('dataset')).str('mode') as DatasetMode;
            const pre = new Settings(ds, spec('dataset'), mode).child('preprocess');
            const pm = pre.str('mode');
            const load = pre.num('load');
            const crop = pre.num('crop');
            const at =
                pre.written('crop')?.value ?? pre.written('load')?.value ?? ds.name ?? ds.keyword;
            if (CROPPING.has(pm) && crop > load) {
                ctx.report(
                    diag(
                        'cropExceedsLoad',
                        at,
                        `Crop ${crop} is larger than load ${load}: ${pm} resizes to ${load} first, so a ${crop}-wide window does not fit. Set load to at least ${crop}, or crop to at most ${load}.`,
                        {
                            data: { replacements: [String(load)] },
                        },
                    ),
                );
            } else if (NOT_CROPPING.has(pm) && crop !== load) {
                ctx.report(
                    diag(
                        'widthMismatch',
                        at,
                        `${pm} makes images ${load} px wide (load), but the generator makes them ${crop} px wide (crop). Set load = crop, or use ${pm}_and_crop.`,
                        {
                            data: { replacements: [String(load)] },
                        },
                    ),
                );
            }
        }
    },
};
