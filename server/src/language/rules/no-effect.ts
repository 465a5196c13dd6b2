/**
 * Options the chosen mode never reads: the reference silently ignores them, so a user
 * believes they changed something. Each is a warning with the span to remove.
 */
import type { DatasetMode } from '../../engine/options';
import type { PropertyNode } from '../ast';
import { diag } from '../catalog';
import type { Rule, RuleContext } from '../checker';
import { findChild, Settings, spec, trainContexts } from '../model';

export const noEffect: Rule = {
    id: 'no-effect',
    phase: 'semantics',
    run(ctx) {
        const warn = (p: PropertyNode | undefined, why: string): void => {
            if (p) report(ctx, p, why);
        };
        for (const ds of ctx.model.symbols.get('dataset')?.values() ?? []) {
            const d = new Settings(ds, spec('dataset'));
            const mode = d.str('mode');
            if (mode !== 'custom') {
                for (const n of ['label_dir', 'image_dir', 'instance_dir'])
                    warn(
                        d.written(n),
                        `${n} is read only in custom mode; ${mode} finds its files under root.`,
                    );
            } else {
                if (d.written('root') && d.written('label_dir') && d.written('image_dir'))
                    warn(
                        d.written('root'),
                        'custom mode reads label_dir and image_dir; root is not used.',
                    );
                if (!new Settings(ds, spec('dataset'), 'custom').bool('instances'))
                    warn(
                        d.written('instance_dir'),
                        'instances is off, so instance maps are not read.',
                    );
            }
            if (mode !== 'coco') {
                warn(d.written('portraits'), 'portrait folders exist only in coco mode.');
            }
            const pre = new Settings(ds, spec('dataset'), mode as DatasetMode).child('preprocess');
            const pm = pre.str('mode');
            if (pm === 'crop' || pm === 'fixed' || pm === 'none')
                warn(pre.written('load'), `preprocess mode ${pm} does not resize to load.`);
        }
        for (const gb of ctx.model.symbols.get('generator')?.values() ?? []) {
            const g = new Settings(gb, spec('generator'));
            if (findChild(gb, 'layers')) {
                for (const n of ['ngf', 'upsampling'])
                    warn(
                        g.written(n),
                        `this generator is defined by its layers, so ${n} is not used.`,
                    );
            }
            if (!g.bool('style')) {
                warn(g.written('z_dim'), 'style is off, so there is no style vector.');
                const enc = findChild(gb, 'encoder');
                if (enc)
                    report(ctx, enc, 'style is off, so the encoder is not built.', enc.keyword);
            }
            warn(
                g.child('encoder').written('nef'),
                'the reference never reads nef: the encoder width follows ngf.',
            );
        }
        for (const db of ctx.model.symbols.get('discriminator')?.values() ?? []) {
            const d = new Settings(db, spec('discriminator'));
            if (findChild(db, 'layers')) {
                for (const n of ['ndf', 'n_layers'])
                    warn(
                        d.written(n),
                        `n_layers and ndf apply only to the multiscale preset; this discriminator is defined by its layers.`,
                    );
            }
        }
        for (const tc of trainContexts(ctx.model)) {
            if (!tc.train) continue;
            const t = new Settings(tc.train, spec('train'), tc.mode);
            const opt = t.child('optimizer');
            const kind = opt.written('kind');
            if (kind && !(kind.value.kind === 'name' && kind.value.text === 'adam'))
                warn(kind, 'the optimiser is never read: training always uses Adam.');
            if (opt.bool('ttur')) {
                for (const n of ['beta1', 'beta2'])
                    warn(
                        opt.written(n),
                        `with ttur on the betas are fixed at (0, 0.9); set ttur = off to use ${n}.`,
                    );
            }
            const loss = t.child('loss');
            const style = new Settings(tc.generator, spec('generator'), tc.mode).bool('style');
            if (!style)
                warn(loss.written('kld'), 'the generator has style off, so there is no KL loss.');
            if (loss.num('vgg') === 0)
                warn(
                    loss.written('vgg_weights'),
                    'vgg is 0, so the VGG loss and its weights are not used.',
                );
        }
    },
};

function report(
    ctx: RuleContext,
    node: { start: number; end: number },
    why: string,
    at?: { start: number; end: number },
): void {
    const name = 'key' in node ? (node as PropertyNode).key.text : 'This block';
    const what = 'key' in node ? `'${name}' has no effect` : 'This block has no effect';
    ctx.report(
        diag('noEffect', at ?? (node as PropertyNode).key ?? node, `${what}; ${why} Remove it.`, {
            unnecessary: true,
            data: { remove: { start: node.start, end: node.end } },
        }),
    );
}
