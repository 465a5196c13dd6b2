/** The `train` block: which dataset and networks, and how to train them. */
import type { BlockSpec } from './registry-types';

const optimizer: BlockSpec = {
    kind: 'optimizer',
    topLevel: false,
    doc: 'Adam and its learning rates.',
    blocks: [],
    properties: [
        {
            name: 'kind',
            type: { kind: 'word' },
            doc: 'Optimiser name in the reference options.',
            default: 'adam',
            reference: 'optimizer',
            note: 'The reference never reads it: training always uses Adam.',
        },
        {
            name: 'lr',
            type: { kind: 'float', min: 0, minExclusive: true, max: 1 },
            doc: 'Initial learning rate.',
            default: 0.0002,
            reference: 'lr',
        },
        {
            name: 'ttur',
            type: { kind: 'bool' },
            doc: 'Two time-scale update rule: generator lr/2, discriminator lr*2, betas (0, 0.9).',
            default: true,
            reference: 'no_TTUR (inverted)',
        },
        {
            name: 'beta1',
            type: { kind: 'float', min: 0, max: 0.999999 },
            doc: 'Adam beta1 (only with ttur = off).',
            default: 0.5,
            reference: 'beta1',
        },
        {
            name: 'beta2',
            type: { kind: 'float', min: 0, max: 0.999999 },
            doc: 'Adam beta2 (only with ttur = off).',
            default: 0.999,
            reference: 'beta2',
        },
        {
            name: 'd_steps',
            type: { kind: 'int', min: 1, max: 100 },
            doc: 'Discriminator steps per generator step.',
            default: 1,
            reference: 'D_steps_per_G',
        },
    ],
};

const loss: BlockSpec = {
    kind: 'loss',
    topLevel: false,
    doc: 'The adversarial loss and the weights of the other losses (0 turns one off).',
    blocks: [],
    properties: [
        {
            name: 'gan',
            type: { kind: 'enum', values: ['hinge', 'ls', 'original', 'w'] },
            doc: 'Adversarial loss.',
            default: 'hinge',
            reference: 'gan_mode',
            valueDocs: {
                hinge: 'hinge loss',
                ls: 'least squares',
                original: 'binary cross-entropy',
                w: 'Wasserstein (undocumented in the reference)',
            },
        },
        {
            name: 'feature',
            type: { kind: 'float', min: 0, max: 1000 },
            doc: 'Weight of discriminator feature matching (L1, averaged over scales).',
            default: 10,
            reference: 'lambda_feat / no_ganFeat_loss',
        },
        {
            name: 'vgg',
            type: { kind: 'float', min: 0, max: 1000 },
            doc: 'Weight of the VGG19 perceptual loss.',
            default: 10,
            reference: 'lambda_vgg / no_vgg_loss',
        },
        {
            name: 'kld',
            type: { kind: 'float', min: 0, max: 1000 },
            doc: 'Weight of the KL divergence of the style encoder.',
            default: 0.05,
            reference: 'lambda_kld',
        },
        {
            name: 'vgg_weights',
            type: { kind: 'path', expects: 'weights' },
            doc: 'VGG19 weights file for the perceptual loss.',
        },
    ],
};

const checkpoints: BlockSpec = {
    kind: 'checkpoints',
    topLevel: false,
    doc: 'How often to save and sample, and how to resume.',
    blocks: [],
    properties: [
        {
            name: 'every',
            type: { kind: 'int', min: 1 },
            doc: 'Save a checkpoint every this many steps (and at each epoch end).',
            default: 1000,
            reference: 'save_latest_freq (in images there)',
        },
        {
            name: 'keep',
            type: { kind: 'int', min: 1, max: 1000 },
            doc: 'How many recent checkpoints to keep.',
            default: 3,
        },
        {
            name: 'samples_every',
            type: { kind: 'int', min: 1 },
            doc: 'Write a sample grid every this many steps.',
            default: 100,
            reference: 'display_freq (in images there)',
        },
        {
            name: 'reference_resume',
            type: { kind: 'bool' },
            doc: 'Resume like the reference: weights and epoch only, optimiser state and learning rate start afresh.',
            default: false,
            reference: 'continue_train',
        },
    ],
};

export const TRAIN: BlockSpec = {
    kind: 'train',
    topLevel: true,
    doc: 'A training run: a dataset, a generator and a discriminator by name, and the schedule.',
    blocks: [optimizer, loss, checkpoints],
    properties: [
        {
            name: 'data',
            type: { kind: 'ref', target: 'dataset' },
            doc: 'The dataset block to train on.',
            required: true,
        },
        {
            name: 'generator',
            type: { kind: 'ref', target: 'generator' },
            doc: 'The generator block.',
            defaultText: 'the SPADE generator with its defaults',
            reference: 'netG',
        },
        {
            name: 'discriminator',
            type: { kind: 'ref', target: 'discriminator' },
            doc: 'The discriminator block.',
            defaultText: 'the multiscale discriminator with its defaults',
            reference: 'netD',
        },
        {
            name: 'batch',
            type: { kind: 'int', min: 1, max: 4096 },
            doc: 'Images per step.',
            default: 1,
            modeDefaults: { cityscapes: 16 },
            reference: 'batchSize',
        },
        {
            name: 'epochs',
            type: { kind: 'int', min: 0, max: 100000 },
            doc: 'Epochs at the initial learning rate.',
            default: 50,
            reference: 'niter',
        },
        {
            name: 'decay_epochs',
            type: { kind: 'int', min: 0, max: 100000 },
            doc: 'Further epochs with the learning rate decaying linearly to zero.',
            default: 0,
            reference: 'niter_decay',
        },
        {
            name: 'device',
            type: { kind: 'enum', values: ['auto', 'gpu', 'cpu'] },
            doc: 'Where to train.',
            default: 'auto',
            reference: 'gpu_ids',
            valueDocs: {
                auto: 'the GPU when one is usable, else the CPU',
                gpu: 'the GPU; fail when there is none',
                cpu: 'the CPU (slow; fine for tiny runs)',
            },
        },
        {
            name: 'seed',
            type: { kind: 'int', min: 0, max: 4294967295 },
            doc: 'Random seed for initialisation, shuffling and augmentation.',
            default: 0,
        },
        {
            name: 'out',
            type: { kind: 'path', expects: 'run-folder' },
            doc: 'Run folder for checkpoints, logs and samples, relative to this file.',
            defaultText: 'runs/<train name>',
            reference: 'checkpoints_dir/name',
        },
    ],
};
