/**
 * Label classes, dontcare and instance maps against each other and against the generator's
 * input channels (classes + dontcare + instance edge).
 */
import { diag } from '../catalog';
import type { Rule } from '../checker';
import { Settings, spec, trainContexts } from '../model';

export const labelChannels: Rule = {
    id: 'label-channels',
    phase: 'semantics',
    run(ctx) {
        for (const tc of trainContexts(ctx.model)) {
            const d = new Settings(tc.dataset, spec('dataset'), tc.mode);
            const classes = d.num('classes');
            const dontcare = d.bool('dontcare');
            const instances = d.bool('instances');
            const at = (name: string) =>
                d.written(name)?.value ?? tc.dataset.name ?? tc.dataset.keyword;
            if (dontcare && classes > 255) {
                ctx.report(
                    diag(
                        'dontcareCollision',
                        at('classes'),
                        `With dontcare on, label value 255 means unlabeled, but classes = ${classes} makes 255 a class id too. Use at most 255 classes, or turn dontcare off.`,
                        {
                            related: d.written('dontcare')
                                ? [{ span: d.written('dontcare')!, message: 'dontcare is on here' }]
                                : [],
                        },
                    ),
                );
            }
            const dontcareProp = d.written('dontcare');
            if (!dontcare && dontcareProp && (tc.mode === 'coco' || tc.mode === 'ade20k')) {
                ctx.report(
                    diag(
                        'unlabeled255',
                        dontcareProp.value,
                        `${tc.mode} label maps mark unlabeled pixels with 255, which is out of range for ${classes} classes with dontcare off. Turn dontcare on.`,
                        {
                            data: { replacements: ['on'] },
                        },
                    ),
                );
            }
            const instProp = d.written('instances');
            if (instances && (tc.mode === 'ade20k' || tc.mode === 'facades')) {
                ctx.report(
                    diag(
                        'noInstanceMaps',
                        at('instances'),
                        `${tc.mode} datasets have no instance maps. Set instances = off.`,
                        { data: { replacements: ['off'] } },
                    ),
                );
            } else if (instances && tc.mode === 'custom' && !d.written('instance_dir')) {
                ctx.report(
                    diag(
                        'noInstanceMaps',
                        instProp?.value ?? at('mode'),
                        `instances is on but this custom dataset has no instance_dir. Add instance_dir = "..." or set instances = off.`,
                        {
                            data: { replacements: ['off'] },
                        },
                    ),
                );
            }
            const g = new Settings(tc.generator, spec('generator'), tc.mode);
            const inputProp = g.written('input_channels');
            const input = g.get('input_channels');
            if (!inputProp || input.origin.kind !== 'set') continue;
            const expected = classes + (dontcare ? 1 : 0) + (instances ? 1 : 0);
            if (input.value === expected) continue;
            const dsName = tc.dataset.name?.text ?? 'the dataset';
            ctx.report(
                diag(
                    'inputChannels',
                    inputProp.value,
                    `input_channels is ${String(input.value)}, but dataset '${dsName}' gives ${expected}: ${classes} classes + ${dontcare ? 1 : 0} dontcare + ${instances ? 1 : 0} instance edge. Set input_channels = ${expected}, or change classes, dontcare or instances.`,
                    {
                        related: tc.dataset.name
                            ? [{ span: tc.dataset.name, message: `dataset '${dsName}'` }]
                            : [],
                        data: { replacements: [String(expected)] },
                    },
                ),
            );
        }
    },
};
