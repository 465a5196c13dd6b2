/** Required properties: those the registry marks, and the folders custom mode needs. */
import { allBlocks, type BlockNode } from '../ast';
import { diag } from '../catalog';
import type { Rule, RuleContext } from '../checker';
import { datasetMode, findProperty } from '../model';
import { specOfBlock } from '../registry';

export const required: Rule = {
    id: 'required',
    phase: 'structure',
    run(ctx) {
        for (const block of allBlocks(ctx.model.file.blocks)) {
            const spec = specOfBlock(block);
            if (!spec) continue;
            for (const p of spec.properties) {
                if (p.required && !findProperty(block, p.name)) missing(ctx, block, p.name, p.doc);
            }
            if (spec.kind === 'dataset' && datasetMode(block) === 'custom') {
                for (const name of ['label_dir', 'image_dir']) {
                    if (!findProperty(block, name))
                        missing(
                            ctx,
                            block,
                            name,
                            'custom mode reads its samples from label_dir and image_dir.',
                        );
                }
            }
        }
    },
};

function missing(ctx: RuleContext, block: BlockNode, name: string, why: string): void {
    const head = block.name
        ? `${block.keyword.text} '${block.name.text}'`
        : `'${block.keyword.text}'`;
    const at = block.name ?? block.keyword;
    const anchor = block.open.missing ? block.keyword : block.open;
    ctx.report(
        diag('missingRequired', at, `${head} needs '${name}': ${why} Add '${name} = ...'.`, {
            data: { span: { start: anchor.end, end: anchor.end }, insert: `\n    ${name} = ` },
        }),
    );
}
