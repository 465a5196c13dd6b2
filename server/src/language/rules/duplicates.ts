/** A property set twice, a nested block given twice, or two top-level blocks with one name. */
import { allBlocks } from '../ast';
import { diag } from '../catalog';
import type { Rule } from '../checker';
import { isTopLevelKeyword } from '../keywords';
import { specOfBlock } from '../registry';

export const duplicates: Rule = {
    id: 'duplicates',
    phase: 'structure',
    run(ctx) {
        const file = ctx.model.file;
        const firstByName = new Map<string, { start: number; end: number }>();
        for (const b of file.blocks) {
            if (!b.name || !isTopLevelKeyword(b.keyword.text)) continue;
            const key = `${b.keyword.text}:${b.name.text}`;
            const first = firstByName.get(key);
            if (!first) {
                firstByName.set(key, b.name);
                continue;
            }
            ctx.report(
                diag(
                    'duplicateName',
                    b.name,
                    `A ${b.keyword.text} named '${b.name.text}' already exists. Rename this one or remove it.`,
                    {
                        related: [
                            {
                                span: first,
                                message: `the first ${b.keyword.text} '${b.name.text}'`,
                            },
                        ],
                    },
                ),
            );
        }
        for (const block of allBlocks(file.blocks)) {
            const spec = specOfBlock(block);
            const seen = new Map<string, { start: number; end: number }>();
            for (const m of block.members) {
                const name = m.kind === 'property' ? m.key.text : m.keyword.text;
                const span = m.kind === 'property' ? m.key : m.keyword;
                if (m.kind === 'property' && m.value.kind === 'missing') continue;
                if (m.kind === 'block') {
                    // Unknown kinds are reported elsewhere; layer entries may repeat.
                    const nested = spec?.blocks.find((b) => b.kind === name);
                    if (!nested || nested.repeatable) continue;
                }
                const first = seen.get(name);
                if (!first) {
                    seen.set(name, span);
                    continue;
                }
                const kind = m.kind === 'property' ? 'duplicateProperty' : 'duplicateBlock';
                const what =
                    m.kind === 'property'
                        ? `Property '${name}' is set twice`
                        : `Block '${name}' appears twice`;
                ctx.report(
                    diag(
                        kind,
                        span,
                        `${what} in '${block.keyword.text}'; only the first counts. Remove one.`,
                        {
                            related: [{ span: first, message: 'the first one' }],
                            data: { remove: { start: m.start, end: m.end } },
                        },
                    ),
                );
            }
        }
    },
};
