/**
 * Reads the sizes of a config's networks from its blocks: the options of a generator or
 * discriminator and the data dimensions of the dataset that the first train block using it
 * names (registry defaults when none does).
 */
import type { PlainNorm, Upsampling } from '../engine/options';
import {
    findChild,
    Settings,
    spec,
    trainContexts,
    type ConfigModel,
    type TrainContext,
} from './model';
import type { BlockNode } from './ast';
import {
    discriminatorSize,
    encoderSize,
    generatorSize,
    trainingMemoryBytes,
    type DataDims,
    type NetworkSize,
} from './network-size';
import { discriminatorLayers, generatorLayers } from './resolver';

/** The context (train, dataset, mode) a network block is sized in; undefined dataset = defaults. */
function contextOf(model: ConfigModel, block: BlockNode): TrainContext | undefined {
    const kind = block.keyword.text as 'generator' | 'discriminator';
    return trainContexts(model).find((c) => c.train && c[kind] === block);
}

/** Data dimensions from a dataset block (defaults when absent). */
export function dataDims(ctx: TrainContext | undefined, generator?: BlockNode): DataDims {
    const mode = ctx?.mode;
    const ds = new Settings(ctx?.dataset, spec('dataset'), mode);
    const pre = ds.child('preprocess');
    const g = new Settings(generator, spec('generator'), mode);
    const inputSet = g.written('input_channels') ? g.num('input_channels') : undefined;
    return {
        semanticNc:
            inputSet ??
            ds.num('classes') + (ds.bool('dontcare') ? 1 : 0) + (ds.bool('instances') ? 1 : 0),
        crop: pre.num('crop'),
        aspect: pre.num('aspect'),
        outputNc: g.num('output_channels'),
    };
}

/** Sizes of one generator block (and of its encoder with style = on). */
export function generatorSizes(
    model: ConfigModel,
    block: BlockNode | undefined,
    ctx = block && contextOf(model, block),
): { generator: NetworkSize; encoder?: NetworkSize; data: DataDims } {
    const g = new Settings(block, spec('generator'), ctx?.mode);
    const dims = {
        ngf: g.num('ngf'),
        upsampling: g.str('upsampling') as Upsampling,
        spadeKernel: g.num('spade_kernel'),
        spadeHidden: g.num('spade_hidden'),
        useVae: g.bool('style'),
        zDim: g.num('z_dim'),
        layers: generatorLayers(findChild(block, 'layers')),
        encoderNorm: g.child('encoder').str('norm') as PlainNorm,
    };
    const data = dataDims(ctx, block);
    return {
        generator: generatorSize(dims, data),
        encoder: dims.useVae ? encoderSize(dims, data) : undefined,
        data,
    };
}

/** Size of one discriminator block. */
export function discriminatorSizes(
    model: ConfigModel,
    block: BlockNode | undefined,
    ctx = block && contextOf(model, block),
): { discriminator: NetworkSize; data: DataDims; scales: number } {
    const d = new Settings(block, spec('discriminator'), ctx?.mode);
    const data = dataDims(ctx, ctx?.generator);
    const scales = d.num('scales');
    const discriminator = discriminatorSize(
        {
            ndf: d.num('ndf'),
            numD: scales,
            nLayers: d.num('n_layers'),
            norm: d.str('norm') as PlainNorm,
            layers: discriminatorLayers(findChild(block, 'layers')),
        },
        data,
    );
    return { discriminator, data, scales };
}

/** Estimated training memory of a train block in bytes; undefined without a dataset. */
export function trainMemory(model: ConfigModel, train: BlockNode): number | undefined {
    const ctx = trainContexts(model).find((c) => c.train === train);
    if (!ctx) return undefined;
    const t = new Settings(train, spec('train'), ctx.mode);
    // A train block without a generator or discriminator trains the default ones.
    const gen = generatorSizes(model, ctx.generator, ctx);
    const d = discriminatorSizes(model, ctx.discriminator, ctx).discriminator;
    return trainingMemoryBytes({
        generator: gen.generator,
        encoder: gen.encoder,
        discriminator: d,
        batch: t.num('batch'),
        crop: gen.data.crop,
        aspect: gen.data.aspect,
        vgg: t.child('loss').num('vgg') > 0,
    });
}
