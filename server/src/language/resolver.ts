/**
 * Resolves a `train` block, with the dataset and networks it names, into the engine's
 * RunOptions, and reports where every effective value came from. It never reads files:
 * the caller passes how to make a config-relative path absolute.
 */
import type {
    DatasetMode,
    Device,
    DiscriminatorLayer,
    GanMode,
    GeneratorLayer,
    InitType,
    ParamFreeNorm,
    PlainNorm,
    PreprocessMode,
    RunOptions,
    Upsampling,
} from '../engine/options';
import { childBlocks, type BlockNode } from './ast';
import {
    findChild,
    findProperty,
    referenced,
    Settings,
    spec,
    type ConfigModel,
    type Effective,
} from './model';

/** How a resolved run came out: the options and each value's origin, or why not. */
export type ResolveResult =
    | { ok: true; options: RunOptions; origins: Map<string, Effective> }
    | { ok: false; message: string };

/** Options for resolving: how to turn a config-relative path into an absolute one. */
export interface ResolveEnv {
    resolvePath(p: string): string;
}

export function resolveTrain(
    model: ConfigModel,
    trainName: string,
    env: ResolveEnv,
): ResolveResult {
    const train = model.symbols.get('train')?.get(trainName);
    if (!train) {
        const names = [...(model.symbols.get('train')?.keys() ?? [])];
        return {
            ok: false,
            message: `No train block named '${trainName}'. Known: ${names.join(', ') || 'none'}.`,
        };
    }
    const target = (name: string): BlockNode | undefined => referenced(model, train, name);
    const datasetBlock = target('data');
    if (!datasetBlock)
        return {
            ok: false,
            message: `Train block '${trainName}' names no existing dataset in 'data'. Fix 'data' first.`,
        };

    const origins = new Map<string, Effective>();
    const ds = new Settings(datasetBlock, spec('dataset'));
    const mode = ds.str('mode') as DatasetMode;
    const track = (prefix: string, s: Settings) => ({
        get<T>(name: string): T {
            const e = s.get(name);
            origins.set(`${prefix}.${name}`, e);
            return e.value as T;
        },
    });
    const d = track('dataset', new Settings(datasetBlock, spec('dataset'), mode));
    const pre = track(
        'dataset.preprocess',
        new Settings(datasetBlock, spec('dataset'), mode).child('preprocess'),
    );
    const genBlock = target('generator');
    const gs = new Settings(genBlock, spec('generator'), mode);
    const g = track('generator', gs);
    const enc = track('generator.encoder', gs.child('encoder'));
    const discBlock = target('discriminator');
    const dis = track('discriminator', new Settings(discBlock, spec('discriminator'), mode));
    const ts = new Settings(train, spec('train'), mode);
    const t = track('train', ts);
    const opt = track('train.optimizer', ts.child('optimizer'));
    const loss = track('train.loss', ts.child('loss'));
    const ck = track('train.checkpoints', ts.child('checkpoints'));
    const path = (v: string | undefined): string | undefined =>
        v === undefined ? undefined : env.resolvePath(v);

    const ttur = opt.get<boolean>('ttur');
    const genLayers = generatorLayers(findChild(genBlock, 'layers'));
    const discLayers = discriminatorLayers(findChild(discBlock, 'layers'));
    const options: RunOptions = {
        name: trainName,
        outDir: env.resolvePath(t.get<string | undefined>('out') ?? `runs/${trainName}`),
        dataset: {
            mode: d.get<DatasetMode>('mode'),
            root: env.resolvePath(d.get<string>('root')),
            labelDir: path(d.get('label_dir')),
            imageDir: path(d.get('image_dir')),
            instanceDir: path(d.get('instance_dir')),
            labelNc: d.get('classes'),
            containDontcare: d.get('dontcare'),
            useInstance: d.get('instances'),
            preprocess: pre.get<PreprocessMode>('mode'),
            loadSize: pre.get('load'),
            cropSize: pre.get('crop'),
            aspectRatio: pre.get('aspect'),
            flip: pre.get('flip'),
            classFile: path(d.get('class_file')),
            maxDatasetSize: d.get('max_size'),
            onBadSample: d.get<'skip' | 'stop'>('on_bad_sample'),
            noPortraits: !d.get<boolean>('portraits'),
        },
        generator: {
            arch: genLayers ? 'layers' : 'spade',
            ngf: g.get('ngf'),
            upsampling: g.get<Upsampling>('upsampling'),
            spectral: g.get('spectral'),
            paramFreeNorm: g.get<ParamFreeNorm>('norm'),
            spadeKernel: g.get<3 | 5>('spade_kernel'),
            spadeHidden: g.get('spade_hidden'),
            useVae: g.get('style'),
            zDim: g.get('z_dim'),
            initType: g.get<InitType>('init'),
            initVariance: g.get('init_variance'),
            ...(genLayers ? { layers: genLayers } : {}),
        },
        discriminator: {
            arch: discLayers ? 'layers' : 'multiscale',
            numD: dis.get('scales'),
            nLayers: dis.get('n_layers'),
            ndf: dis.get('ndf'),
            spectral: dis.get('spectral'),
            norm: dis.get<PlainNorm>('norm'),
            ...(discLayers ? { layers: discLayers } : {}),
        },
        encoder: { spectral: enc.get('spectral'), norm: enc.get<PlainNorm>('norm') },
        loss: {
            ganMode: loss.get<GanMode>('gan'),
            lambdaFeat: loss.get('feature'),
            lambdaVgg: loss.get('vgg'),
            vggWeights: path(loss.get('vgg_weights')),
            lambdaKld: loss.get('kld'),
        },
        optim: {
            lr: opt.get('lr'),
            // With TTUR the reference fixes the betas; the written ones are ignored (and warned).
            beta1: ttur ? 0 : opt.get('beta1'),
            beta2: ttur ? 0.9 : opt.get('beta2'),
            ttur,
            niter: t.get('epochs'),
            niterDecay: t.get('decay_epochs'),
            dStepsPerG: opt.get('d_steps'),
        },
        batchSize: t.get('batch'),
        device: t.get<Device>('device'),
        seed: t.get('seed'),
        saveEverySteps: ck.get('every'),
        keepCheckpoints: ck.get('keep'),
        sampleEverySteps: ck.get('samples_every'),
        referenceResume: ck.get('reference_resume'),
        outputNc: g.get('output_channels'),
    };
    return { ok: true, options, origins };
}

function num(b: BlockNode, name: string, fallback: number): number {
    const v = findProperty(b, name)?.value;
    return v?.kind === 'number' && Number.isFinite(v.value) ? v.value : fallback;
}

function word(b: BlockNode, name: string): string | undefined {
    const v = findProperty(b, name)?.value;
    return v?.kind === 'name' ? v.text : undefined;
}

/** The engine's layer list of a generator `layers` block (an upsample before each `up` block). */
export function generatorLayers(layers: BlockNode | undefined): GeneratorLayer[] | undefined {
    if (!layers) return undefined;
    const out: GeneratorLayer[] = [];
    let channels = 0;
    for (const b of childBlocks(layers)) {
        const ch = num(b, 'channels', channels);
        if (b.keyword.text === 'resblock') {
            if (word(b, 'resample') === 'up') out.push({ kind: 'upsample', channels });
            out.push({ kind: 'spade_resblock', channels: ch });
        } else if (b.keyword.text === 'conv') {
            out.push({ kind: 'conv', channels: ch });
        }
        channels = ch;
    }
    return out;
}

/** The engine's layer list of a discriminator `layers` block. */
export function discriminatorLayers(
    layers: BlockNode | undefined,
): DiscriminatorLayer[] | undefined {
    if (!layers) return undefined;
    return childBlocks(layers)
        .filter((b) => b.keyword.text === 'conv')
        .map((b) => ({
            channels: num(b, 'channels', 64),
            stride: num(b, 'stride', 2) === 1 ? 1 : 2,
            norm: word(b, 'norm') !== 'off' && word(b, 'norm') !== 'false',
        }));
}
