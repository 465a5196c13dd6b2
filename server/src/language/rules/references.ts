/** References to blocks that do not exist (with "did you mean" among blocks of that kind). */
import { diag } from '../catalog';
import type { Rule } from '../checker';
import { didYouMean, suggest } from '../suggest';

export const references: Rule = {
    id: 'references',
    phase: 'references',
    run(ctx) {
        for (const ref of ctx.model.references) {
            if (ref.resolved) continue;
            const names = [...(ctx.model.symbols.get(ref.target)?.keys() ?? [])];
            const s = suggest(ref.name.text, names);
            const known = names.length
                ? ` Known ${ref.target} blocks: ${names.join(', ')}.`
                : ` Add a block '${ref.target} ${ref.name.text} { ... }'.`;
            ctx.report(
                diag(
                    'unresolvedReference',
                    ref.name,
                    `No ${ref.target} named '${ref.name.text}'.${didYouMean(s)}${known}`,
                    {
                        data: { replacements: s ? [s] : names },
                    },
                ),
            );
        }
    },
};
