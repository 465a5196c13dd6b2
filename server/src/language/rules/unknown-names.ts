/** Unknown block kinds and properties (with "did you mean"), and names where none belong. */
import { allBlocks, type BlockNode } from '../ast';
import { diag } from '../catalog';
import type { Rule, RuleContext } from '../checker';
import { propertySpec, specOfBlock, TOP_LEVEL_BLOCKS } from '../registry';
import { didYouMean, suggest } from '../suggest';

export const unknownNames: Rule = {
    id: 'unknown-names',
    phase: 'structure',
    run(ctx) {
        for (const block of allBlocks(ctx.model.file.blocks)) checkBlock(ctx, block);
    },
};

function checkBlock(ctx: RuleContext, block: BlockNode): void {
    const spec = specOfBlock(block);
    const kw = block.keyword;
    if (!spec) {
        // Only report the outermost unknown block; its children are unknown by extension.
        if (block.parent && !specOfBlock(block.parent)) return;
        const candidates = block.parent
            ? (specOfBlock(block.parent)?.blocks.map((b) => b.kind) ?? [])
            : TOP_LEVEL_BLOCKS.map((b) => b.kind);
        const s = suggest(kw.text, candidates);
        const where = block.parent ? `inside '${block.parent.keyword.text}'` : 'at top level';
        const allowed = candidates.length
            ? `Allowed ${where}: ${candidates.join(', ')}.`
            : `No blocks are allowed ${where}.`;
        ctx.report(
            diag(
                'unknownBlock',
                kw,
                `Unknown block '${kw.text}' ${where}.${didYouMean(s)} ${allowed}`,
                s ? { data: { replacements: [s] } } : {},
            ),
        );
        return;
    }
    if (spec.topLevel && !block.name) {
        ctx.report(
            diag(
                'missingName',
                kw,
                `Block '${kw.text}' needs a name so train blocks can refer to it. Write '${kw.text} <name> {'.`,
                { data: { insert: ` my_${kw.text}` } },
            ),
        );
    }
    if (!spec.topLevel && block.name) {
        ctx.report(
            diag(
                'unexpectedName',
                block.name,
                `Nested block '${kw.text}' takes no name. Remove '${block.name.text}'.`,
                { data: { remove: block.name } },
            ),
        );
    }
    for (const m of block.members) {
        if (m.kind !== 'property' || propertySpec(spec, m.key.text)) continue;
        // A half-typed property is already reported by the parser.
        if (m.value.kind === 'missing') continue;
        const names = spec.properties.map((p) => p.name);
        const s = suggest(m.key.text, names);
        const nested = spec.blocks.some((b) => b.kind === m.key.text)
            ? ` '${m.key.text}' is a block here: write '${m.key.text} { ... }'.`
            : '';
        const list = names.length ? ` Properties of '${spec.kind}': ${names.join(', ')}.` : '';
        ctx.report(
            diag(
                'unknownProperty',
                m.key,
                `Unknown property '${m.key.text}' in '${spec.kind}'.${didYouMean(s)}${nested || list}`,
                s ? { data: { replacements: [s] } } : {},
            ),
        );
    }
}
