/** The `generator` and `discriminator` blocks, including layer-level definitions. */
import type { BlockSpec } from './registry-types';

const PLAIN_NORMS = ['instance', 'batch', 'sync_batch', 'none'] as const;

const encoder: BlockSpec = {
    kind: 'encoder',
    topLevel: false,
    doc: 'The style encoder used when style = on (VAE): six stride-2 convolutions to a mean and log-variance of z_dim.',
    blocks: [],
    properties: [
        {
            name: 'norm',
            type: { kind: 'enum', values: PLAIN_NORMS },
            doc: 'Normalisation after each encoder convolution.',
            default: 'instance',
            reference: 'norm_E',
        },
        {
            name: 'spectral',
            type: { kind: 'bool' },
            doc: 'Spectral normalisation on the encoder convolutions.',
            default: true,
            reference: 'norm_E',
        },
        {
            name: 'nef',
            type: { kind: 'int', min: 1 },
            doc: 'Encoder base width in the reference options.',
            default: 16,
            reference: 'nef',
            note: 'The reference never reads nef: the encoder width follows ngf. Setting it has no effect.',
        },
    ],
};

const resblock: BlockSpec = {
    kind: 'resblock',
    topLevel: false,
    repeatable: true,
    doc: 'A SPADE residual block; with resample = up the features are doubled in size (nearest) before it.',
    blocks: [],
    properties: [
        {
            name: 'channels',
            type: { kind: 'int', min: 1, max: 65536 },
            doc: 'Output channels of the block.',
            required: true,
        },
        {
            name: 'resample',
            type: { kind: 'enum', values: ['none', 'up'] },
            doc: 'Resampling before the block.',
            default: 'none',
            valueDocs: { none: 'keep the size', up: 'upsample x2 (nearest) first' },
        },
    ],
};

const gconv: BlockSpec = {
    kind: 'conv',
    topLevel: false,
    repeatable: true,
    doc: 'A 3x3 convolution; as the last generator layer it makes the image (followed by tanh).',
    blocks: [],
    properties: [
        {
            name: 'channels',
            type: { kind: 'int', min: 1, max: 65536 },
            doc: 'Output channels.',
            required: true,
        },
    ],
};

const generatorLayers: BlockSpec = {
    kind: 'layers',
    topLevel: false,
    doc: 'Your own generator as a list of blocks, first to last. The latent grid is crop / 2^(number of up blocks).',
    blocks: [resblock, gconv],
    properties: [],
};

export const GENERATOR: BlockSpec = {
    kind: 'generator',
    topLevel: true,
    doc: 'A generator: the reference SPADE generator tuned by its options, or your own `layers` list.',
    blocks: [encoder, generatorLayers],
    properties: [
        {
            name: 'ngf',
            type: { kind: 'int', min: 1, max: 4096 },
            doc: 'Base width: the first blocks have 16 x ngf channels, halving with each upsampling.',
            default: 64,
            reference: 'ngf',
        },
        {
            name: 'upsampling',
            type: { kind: 'enum', values: ['normal', 'more', 'most'] },
            doc: 'How many times the latent grid is doubled: 5, 6 or 7; the grid is crop / 2^n wide.',
            default: 'normal',
            modeDefaults: { cityscapes: 'more' },
            reference: 'num_upsampling_layers',
            valueDocs: {
                normal: '5 doublings (crop / 32)',
                more: '6 doublings (crop / 64)',
                most: '7 doublings (crop / 128), one more block of ngf/2',
            },
        },
        {
            name: 'norm',
            type: { kind: 'enum', values: ['instance', 'batch', 'syncbatch'] },
            doc: 'Parameter-free normalisation inside each SPADE layer.',
            default: 'syncbatch',
            reference: 'norm_G (spectralspade<norm>3x3)',
            note: 'This engine trains on one device, where syncbatch computes the same as batch.',
        },
        {
            name: 'spectral',
            type: { kind: 'bool' },
            doc: 'Spectral normalisation on the generator convolutions.',
            default: true,
            reference: 'norm_G (spectral prefix)',
        },
        {
            name: 'spade_kernel',
            type: { kind: 'int', oneOf: [3, 5] },
            doc: 'Kernel size of the SPADE convolutions on the label map.',
            default: 3,
            reference: 'norm_G (3x3 suffix)',
        },
        {
            name: 'spade_hidden',
            type: { kind: 'int', min: 1, max: 4096 },
            doc: 'Hidden width of the shared SPADE convolution.',
            default: 128,
            note: 'Fixed at 128 in the reference.',
        },
        {
            name: 'style',
            type: { kind: 'bool' },
            doc: 'Multimodal synthesis: a style encoder (VAE) gives z, trained with the KL loss.',
            default: false,
            reference: 'use_vae',
        },
        {
            name: 'z_dim',
            type: { kind: 'int', min: 1, max: 4096 },
            doc: 'Length of the style vector z.',
            default: 256,
            reference: 'z_dim',
        },
        {
            name: 'init',
            type: {
                kind: 'enum',
                values: ['normal', 'xavier', 'xavier_uniform', 'kaiming', 'orthogonal', 'none'],
            },
            doc: 'Weight initialisation.',
            default: 'xavier',
            reference: 'init_type',
        },
        {
            name: 'init_variance',
            type: { kind: 'float', min: 0, minExclusive: true, max: 10 },
            doc: 'Gain or standard deviation of the initialisation.',
            default: 0.02,
            reference: 'init_variance',
        },
        {
            name: 'input_channels',
            type: { kind: 'int', min: 1, max: 65536 },
            doc: 'Input channels the network is built for (e.g. to load weights trained elsewhere); checked against the dataset.',
            defaultText: 'classes + dontcare + instance edge',
        },
        {
            name: 'output_channels',
            type: { kind: 'int', min: 1, max: 4 },
            doc: 'Channels of the generated image.',
            default: 3,
            reference: 'output_nc',
        },
    ],
};

const dconv: BlockSpec = {
    kind: 'conv',
    topLevel: false,
    repeatable: true,
    doc: 'A 4x4 convolution with LeakyReLU 0.2; the discriminator adds a final 1-channel convolution itself.',
    blocks: [],
    properties: [
        {
            name: 'channels',
            type: { kind: 'int', min: 1, max: 65536 },
            doc: 'Output channels.',
            required: true,
        },
        {
            name: 'stride',
            type: { kind: 'int', oneOf: [1, 2] },
            doc: '2 halves the size, 1 keeps it.',
            default: 2,
        },
        {
            name: 'norm',
            type: { kind: 'bool' },
            doc: "Apply the discriminator's norm after this convolution.",
            default: true,
        },
    ],
};

const discriminatorLayers: BlockSpec = {
    kind: 'layers',
    topLevel: false,
    doc: 'Your own PatchGAN as a list of convolutions, used at every scale.',
    blocks: [dconv],
    properties: [],
};

export const DISCRIMINATOR: BlockSpec = {
    kind: 'discriminator',
    topLevel: true,
    doc: 'A discriminator: the reference multiscale PatchGAN, or your own `layers` list run at each scale.',
    blocks: [discriminatorLayers],
    properties: [
        {
            name: 'ndf',
            type: { kind: 'int', min: 1, max: 4096 },
            doc: 'Width of the first convolution; doubled per layer, capped at 512.',
            default: 64,
            reference: 'ndf',
        },
        {
            name: 'scales',
            type: { kind: 'int', min: 1, max: 8 },
            doc: 'Number of discriminators, each on a 2x smaller copy of the input.',
            default: 2,
            reference: 'num_D',
        },
        {
            name: 'n_layers',
            type: { kind: 'int', min: 1, max: 8 },
            doc: 'Convolutions per discriminator (multiscale preset only).',
            default: 4,
            reference: 'n_layers_D',
        },
        {
            name: 'norm',
            type: { kind: 'enum', values: PLAIN_NORMS },
            doc: 'Normalisation after each convolution but the first.',
            default: 'instance',
            reference: 'norm_D',
        },
        {
            name: 'spectral',
            type: { kind: 'bool' },
            doc: 'Spectral normalisation on the convolutions.',
            default: true,
            reference: 'norm_D (spectral prefix)',
        },
    ],
};
