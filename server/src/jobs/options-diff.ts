/**
 * Compares the options a checkpoint was trained with against the options of a resume, so a
 * config change that alters weight shapes is reported by the option's name, not as a wall of
 * tensor shapes.
 */
import type { RunOptions } from '../engine/options';

/** One option whose value differs. */
export interface OptionChange {
    /** Path in the resolved options, e.g. 'generator.ngf'. */
    path: string;
    /** What users write in a config, e.g. "`classes` in the dataset block (label_nc)". */
    label: string;
    before: unknown;
    after: unknown;
    /** Whether the change alters the shape or set of weights (so the checkpoint cannot load). */
    shapes: boolean;
}

/**
 * [options path, config property (block path + name, as written in a .spade file), the
 * reference's option name where it has one, whether it changes weights]. A test checks the
 * config names against the language registry, so they follow the language.
 */
type Rule = [
    path: string,
    property: string,
    reference: string | undefined,
    shapes: boolean | ((o: RunOptions) => boolean),
];

const RULES: Rule[] = [
    ['dataset.labelNc', 'dataset.classes', 'label_nc', true],
    ['dataset.containDontcare', 'dataset.dontcare', 'contain_dontcare_label', true],
    ['dataset.useInstance', 'dataset.instances', 'no_instance', true],
    // Only the VAE generator's first layer depends on the image size.
    ['dataset.cropSize', 'dataset.preprocess.crop', 'crop_size', (o) => o.generator.useVae],
    ['dataset.aspectRatio', 'dataset.preprocess.aspect', 'aspect_ratio', (o) => o.generator.useVae],
    ['generator.arch', 'generator.layers', undefined, true],
    ['generator.ngf', 'generator.ngf', 'ngf', true],
    ['generator.upsampling', 'generator.upsampling', 'num_upsampling_layers', true],
    ['generator.spectral', 'generator.spectral', 'norm_G', true],
    ['generator.paramFreeNorm', 'generator.norm', 'norm_G', true],
    ['generator.spadeKernel', 'generator.spade_kernel', 'norm_G', true],
    ['generator.spadeHidden', 'generator.spade_hidden', undefined, true],
    ['generator.useVae', 'generator.style', 'use_vae', true],
    ['generator.zDim', 'generator.z_dim', 'z_dim', true],
    ['generator.layers', 'generator.layers', undefined, true],
    ['discriminator.arch', 'discriminator.layers', undefined, true],
    ['discriminator.numD', 'discriminator.scales', 'num_D', true],
    ['discriminator.nLayers', 'discriminator.n_layers', 'n_layers_D', true],
    ['discriminator.ndf', 'discriminator.ndf', 'ndf', true],
    ['discriminator.spectral', 'discriminator.spectral', 'norm_D', true],
    ['discriminator.norm', 'discriminator.norm', 'norm_D', true],
    ['discriminator.layers', 'discriminator.layers', undefined, true],
    ['encoder.spectral', 'generator.encoder.spectral', 'norm_E', (o) => o.generator.useVae],
    ['encoder.norm', 'generator.encoder.norm', 'norm_E', (o) => o.generator.useVae],
    ['outputNc', 'generator.output_channels', 'output_nc', true],
    ['batchSize', 'train.batch', 'batchSize', false],
    ['seed', 'train.seed', undefined, false],
    ['optim.lr', 'train.optimizer.lr', 'lr', false],
    ['optim.beta1', 'train.optimizer.beta1', 'beta1', false],
    ['optim.beta2', 'train.optimizer.beta2', 'beta2', false],
    ['optim.ttur', 'train.optimizer.ttur', 'no_TTUR', false],
    ['optim.niter', 'train.epochs', 'niter', false],
    ['optim.niterDecay', 'train.decay_epochs', 'niter_decay', false],
    ['optim.dStepsPerG', 'train.optimizer.d_steps', 'D_steps_per_G', false],
    ['loss.ganMode', 'train.loss.gan', 'gan_mode', false],
    ['loss.lambdaFeat', 'train.loss.feature', 'lambda_feat', false],
    ['loss.lambdaVgg', 'train.loss.vgg', 'lambda_vgg', false],
    ['loss.lambdaKld', 'train.loss.kld', 'lambda_kld', false],
    ['dataset.root', 'dataset.root', 'dataroot', false],
    ['dataset.preprocess', 'dataset.preprocess.mode', 'preprocess_mode', false],
    ['dataset.loadSize', 'dataset.preprocess.load', 'load_size', false],
    ['dataset.flip', 'dataset.preprocess.flip', 'no_flip', false],
];

/** The config properties the rules name, for the test that checks them against the language. */
export function configPropertiesNamed(): string[] {
    return RULES.map((r) => r[1]);
}

/** "`crop` in the dataset's preprocess block (crop_size)". */
function labelOf(property: string, reference: string | undefined): string {
    const parts = property.split('.');
    const name = parts.pop() as string;
    const block = parts.length === 1 ? parts[0] : `${parts[0]}'s ${parts.slice(1).join(' ')}`;
    const ref = reference && reference !== name ? ` (${reference})` : '';
    return `\`${name}\` in the ${block} block${ref}`;
}

function get(o: unknown, p: string): unknown {
    let cur = o;
    for (const k of p.split('.')) {
        if (cur === null || typeof cur !== 'object') return undefined;
        cur = (cur as Record<string, unknown>)[k];
    }
    return cur;
}

/** Every listed option whose value differs between `before` and `after`. */
export function diffOptions(before: RunOptions, after: RunOptions): OptionChange[] {
    const out: OptionChange[] = [];
    for (const [p, property, reference, shapes] of RULES) {
        const label = labelOf(property, reference);
        const a = get(before, p);
        const b = get(after, p);
        if (JSON.stringify(a) === JSON.stringify(b)) continue;
        const affects = typeof shapes === 'function' ? shapes(before) || shapes(after) : shapes;
        out.push({ path: p, label, before: a, after: b, shapes: affects });
    }
    return out;
}

const show = (v: unknown): string => (v === undefined ? 'unset' : JSON.stringify(v));

/**
 * The message for a resume whose config changed weight shapes, or undefined if the checkpoint
 * still fits. Names every differing shape option with both values and what to do.
 */
export function shapeChangeMessage(
    checkpointDir: string,
    before: RunOptions,
    after: RunOptions,
): string | undefined {
    const changes = diffOptions(before, after).filter((c) => c.shapes);
    if (changes.length === 0) return undefined;
    const list = changes
        .map((c) => `${c.label} [${c.path}] was ${show(c.before)}, now ${show(c.after)}`)
        .join('; ');
    return (
        `Cannot resume from ${checkpointDir}: the config changed options that set the weight shapes: ` +
        `${list}. Change ${changes.length > 1 ? 'them' : 'it'} back to resume, or train into a new run ` +
        `folder (another run name).`
    );
}
