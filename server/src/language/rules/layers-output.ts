/** Layer-level networks: a list must not be empty, and a generator must end in an image conv. */
import { childBlocks } from '../ast';
import { diag } from '../catalog';
import type { Rule } from '../checker';
import { findChild, findProperty, Settings, spec } from '../model';

export const layersOutput: Rule = {
    id: 'layers-output',
    phase: 'semantics',
    run(ctx) {
        for (const kind of ['generator', 'discriminator'] as const) {
            for (const net of ctx.model.symbols.get(kind)?.values() ?? []) {
                const layers = findChild(net, 'layers');
                if (!layers) continue;
                const entries = childBlocks(layers);
                if (entries.length === 0) {
                    ctx.report(
                        diag(
                            'layerOutput',
                            layers.keyword,
                            `The ${kind}'s layers list is empty. Add blocks, or remove 'layers' to use the preset.`,
                        ),
                    );
                    continue;
                }
                if (kind !== 'generator') continue;
                const last = entries[entries.length - 1];
                const out = new Settings(net, spec('generator')).num('output_channels');
                const ch = findProperty(last, 'channels');
                const chv = ch?.value.kind === 'number' ? ch.value.value : undefined;
                if (last.keyword.text !== 'conv') {
                    ctx.report(
                        diag(
                            'layerOutput',
                            last.keyword,
                            `A generator's last layer must be 'conv { channels = ${out} }' to make the image. Add it after this block.`,
                            {
                                data: {
                                    insert: `\n        conv { channels = ${out} }`,
                                    span: { start: last.end, end: last.end },
                                },
                            },
                        ),
                    );
                } else if (chv !== undefined && chv !== out) {
                    ctx.report(
                        diag(
                            'layerOutput',
                            ch!.value,
                            `The last conv makes the image, so it needs ${out} channels (output_channels), not ${chv}. Set channels = ${out}.`,
                            { data: { replacements: [String(out)] } },
                        ),
                    );
                }
            }
        }
    },
};
