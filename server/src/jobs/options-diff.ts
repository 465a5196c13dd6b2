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
    /** What users call it in a config. */
    label: string;
    before: unknown;
    after: unknown;
    /** Whether the change alters the shape or set of weights (so the checkpoint cannot load). */
    shapes: boolean;
}

type Rule = [path: string, label: string, shapes: boolean | ((o: RunOptions) => boolean)];

/**
 * Options and whether they change weights; labels carry the reference's option names.
 * FIXME(#6): name options as the config does (e.g. `classes`), once the resolver exposes its
 * RunOptions-path -> property table, instead of these labels.
 */
const RULES: Rule[] = [
    ['dataset.labelNc', 'number of classes (label_nc)', true],
    ['dataset.containDontcare', 'dontcare label (contain_dontcare_label)', true],
    ['dataset.useInstance', 'instance maps (no_instance)', true],
    // Only the VAE generator's first layer depends on the image size.
    ['dataset.cropSize', 'crop size', (o) => o.generator.useVae],
    ['dataset.aspectRatio', 'aspect ratio', (o) => o.generator.useVae],
    ['generator.arch', 'generator preset', true],
    ['generator.ngf', 'generator width (ngf)', true],
    ['generator.upsampling', 'upsampling (num_upsampling_layers)', true],
    ['generator.spectral', 'generator spectral norm (norm_G)', true],
    ['generator.paramFreeNorm', 'generator parameter-free norm (norm_G)', true],
    ['generator.spadeKernel', 'SPADE kernel size (norm_G)', true],
    ['generator.spadeHidden', 'SPADE hidden width', true],
    ['generator.useVae', 'style encoder (use_vae)', true],
    ['generator.zDim', 'style size (z_dim)', true],
    ['generator.layers', 'generator layers', true],
    ['discriminator.arch', 'discriminator preset', true],
    ['discriminator.numD', 'discriminator scales (num_D)', true],
    ['discriminator.nLayers', 'discriminator layers (n_layers_D)', true],
    ['discriminator.ndf', 'discriminator width (ndf)', true],
    ['discriminator.spectral', 'discriminator spectral norm (norm_D)', true],
    ['discriminator.norm', 'discriminator norm (norm_D)', true],
    ['discriminator.layers', 'discriminator layers', true],
    ['encoder.spectral', 'encoder spectral norm (norm_E)', (o) => o.generator.useVae],
    ['encoder.norm', 'encoder norm (norm_E)', (o) => o.generator.useVae],
    ['outputNc', 'output channels (output_nc)', true],
    ['batchSize', 'batch size', false],
    ['seed', 'seed', false],
    ['optim.lr', 'learning rate (lr)', false],
    ['optim.beta1', 'beta1', false],
    ['optim.beta2', 'beta2', false],
    ['optim.ttur', 'TTUR', false],
    ['optim.niter', 'epochs at full rate (niter)', false],
    ['optim.niterDecay', 'decay epochs (niter_decay)', false],
    ['optim.dStepsPerG', 'D steps per G step', false],
    ['loss.ganMode', 'GAN loss (gan_mode)', false],
    ['loss.lambdaFeat', 'feature matching weight (lambda_feat)', false],
    ['loss.lambdaVgg', 'VGG weight (lambda_vgg)', false],
    ['loss.lambdaKld', 'KLD weight (lambda_kld)', false],
    ['dataset.root', 'dataset root', false],
    ['dataset.preprocess', 'preprocess mode', false],
    ['dataset.loadSize', 'load size', false],
    ['dataset.flip', 'flip', false],
];

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
    for (const [p, label, shapes] of RULES) {
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
