/** Sync-batch norm written explicitly: on one device it is plain batch norm. */
import { diag } from '../catalog';
import type { Rule } from '../checker';
import { findProperty } from '../model';

export const syncBatch: Rule = {
    id: 'sync-batch',
    phase: 'semantics',
    run(ctx) {
        for (const [kind, word, plain] of [
            ['generator', 'syncbatch', 'batch'],
            ['discriminator', 'sync_batch', 'batch'],
        ] as const) {
            for (const b of ctx.model.symbols.get(kind)?.values() ?? []) {
                const p = findProperty(b, 'norm');
                if (p?.value.kind !== 'name' || p.value.text !== word) continue;
                ctx.report(
                    diag(
                        'syncBatchOneDevice',
                        p.value,
                        `${word} synchronises statistics across devices; training here runs on one device, where it is the same as ${plain}. Write ${plain}.`,
                        { data: { replacements: [plain] } },
                    ),
                );
            }
        }
    },
};
