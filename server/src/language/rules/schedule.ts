/** A schedule that trains for zero epochs. */
import { diag } from '../catalog';
import type { Rule } from '../checker';
import { Settings, spec } from '../model';

export const schedule: Rule = {
    id: 'schedule',
    phase: 'semantics',
    run(ctx) {
        for (const tb of ctx.model.symbols.get('train')?.values() ?? []) {
            const t = new Settings(tb, spec('train'));
            if (t.num('epochs') + t.num('decay_epochs') > 0) continue;
            const at = t.written('epochs')?.value ?? tb.name ?? tb.keyword;
            ctx.report(
                diag(
                    'decayAfterEnd',
                    at,
                    'epochs and decay_epochs are both 0, so this run trains nothing. Set epochs to at least 1.',
                    { data: { replacements: ['1'] } },
                ),
            );
        }
    },
};
