/**
 * The resolved options the engine builds networks, data pipelines and training runs from.
 * The config language resolves a `train` block (with its dataset, generator and
 * discriminator) into one `RunOptions`; the engine never reads config text itself.
 * Names follow the reference implementation's options (see shared design
 * reference-surface.md) in camelCase; defaults are the reference's.
 */

export type DatasetMode = 'coco' | 'ade20k' | 'cityscapes' | 'custom' | 'facades';
export type PreprocessMode =
    | 'resize_and_crop'
    | 'crop'
    | 'scale_width'
    | 'scale_width_and_crop'
    | 'scale_shortside'
    | 'scale_shortside_and_crop'
    | 'fixed'
    | 'none';
export type ParamFreeNorm = 'instance' | 'batch' | 'syncbatch';
export type PlainNorm = 'instance' | 'batch' | 'sync_batch' | 'none';
export type Upsampling = 'normal' | 'more' | 'most';
export type InitType = 'normal' | 'xavier' | 'xavier_uniform' | 'kaiming' | 'orthogonal' | 'none';
export type GanMode = 'hinge' | 'ls' | 'original' | 'w';
export type Device = 'auto' | 'gpu' | 'cpu';

export interface DatasetOptions {
    mode: DatasetMode;
    /** Absolute dataset root. */
    root: string;
    /** custom mode: absolute folders; other modes derive them from root and phase. */
    labelDir?: string;
    imageDir?: string;
    instanceDir?: string;
    /** label_nc: number of label classes, without dontcare. */
    labelNc: number;
    /** contain_dontcare_label: value 255 becomes its own class channel (labelNc). */
    containDontcare: boolean;
    /** Whether instance maps are read and turned into an edge channel (!no_instance). */
    useInstance: boolean;
    preprocess: PreprocessMode;
    loadSize: number;
    cropSize: number;
    aspectRatio: number;
    flip: boolean;
    /** Optional class file (names and colours) for RGB masks and display. */
    classFile?: string;
    maxDatasetSize?: number;
    /** What to do with an unreadable or invalid sample. */
    onBadSample: 'skip' | 'stop';
    /** Which split the mode's folders are read from; 'test' reads the validation split. */
    phase?: 'train' | 'test';
    /** coco: leave out the `*_portrait` folders while training (coco_no_portraits). */
    noPortraits?: boolean;
}

/** One block of a user-defined (layer-level) generator. */
export interface GeneratorLayer {
    kind: 'spade_resblock' | 'upsample' | 'conv';
    channels: number;
}

export interface GeneratorOptions {
    /** 'spade' = the reference SPADE generator; 'layers' = the user's own block list. */
    arch: 'spade' | 'layers';
    ngf: number;
    upsampling: Upsampling;
    /** norm_G, e.g. spectralspadesyncbatch3x3, split into parts. */
    spectral: boolean;
    paramFreeNorm: ParamFreeNorm;
    spadeKernel: 3 | 5;
    /** Hidden width of the SPADE MLP (the reference fixes it at 128). */
    spadeHidden: number;
    useVae: boolean;
    zDim: number;
    initType: InitType;
    initVariance: number;
    layers?: GeneratorLayer[];
    /**
     * Run SPADE's first conv on the one-hot labels as a table lookup (default true; same
     * results up to float rounding). False forces dense convolutions.
     */
    oneHotLookup?: boolean;
    /**
     * With the lookup: compute SPADE's gamma and beta once per distinct label pattern where
     * the patterns are at most this share of the pixels (patterns.ts; default 0.5, 0 never).
     */
    patternShare?: number;
}

/** One block of a user-defined discriminator. */
export interface DiscriminatorLayer {
    channels: number;
    stride: 1 | 2;
    norm: boolean;
}

export interface DiscriminatorOptions {
    arch: 'multiscale' | 'layers';
    numD: number;
    nLayers: number;
    ndf: number;
    spectral: boolean;
    norm: PlainNorm;
    layers?: DiscriminatorLayer[];
}

export interface EncoderOptions {
    spectral: boolean;
    norm: PlainNorm;
}

export interface LossOptions {
    ganMode: GanMode;
    /** lambda_feat; 0 disables feature matching (no_ganFeat_loss). */
    lambdaFeat: number;
    /** lambda_vgg; 0 disables the VGG loss (no_vgg_loss). */
    lambdaVgg: number;
    /** Weights file for VGG19 when lambdaVgg > 0. */
    vggWeights?: string;
    lambdaKld: number;
}

export interface OptimOptions {
    lr: number;
    beta1: number;
    beta2: number;
    /** TTUR: G lr/2, D lr*2, betas (0, 0.9). */
    ttur: boolean;
    /** niter: epochs at the initial learning rate. */
    niter: number;
    /** niter_decay: epochs of linear decay to zero after niter. */
    niterDecay: number;
    dStepsPerG: number;
}

export interface RunOptions {
    name: string;
    /** Absolute run folder. */
    outDir: string;
    dataset: DatasetOptions;
    generator: GeneratorOptions;
    discriminator: DiscriminatorOptions;
    encoder: EncoderOptions;
    loss: LossOptions;
    optim: OptimOptions;
    batchSize: number;
    device: Device;
    seed: number;
    /** Save a checkpoint every this many steps, and keep the last `keepCheckpoints`. */
    saveEverySteps: number;
    keepCheckpoints: number;
    /** Write a sample grid every this many steps. */
    sampleEverySteps: number;
    /** Reproduce the reference's resume (weights and epoch only, no optimiser state). */
    referenceResume: boolean;
    outputNc: number;
}

/** semantic_nc: the generator's input channels (label classes + dontcare + instance edge). */
export function semanticChannels(d: DatasetOptions): number {
    return d.labelNc + (d.containDontcare ? 1 : 0) + (d.useInstance ? 1 : 0);
}
