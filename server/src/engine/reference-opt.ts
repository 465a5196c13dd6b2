/**
 * Reading the reference implementation's resolved options (its `opt.txt` / golden-vector `opt`
 * JSON) into engine options, so reference checkpoints can be rebuilt and loaded.
 */
import type {
    DiscriminatorOptions,
    EncoderOptions,
    GeneratorOptions,
    InitType,
    ParamFreeNorm,
    PlainNorm,
    Upsampling,
} from './options';

/** The reference's option names that the networks depend on. */
export interface ReferenceOpt {
    ngf: number;
    ndf?: number;
    norm_G: string;
    norm_D?: string;
    norm_E?: string;
    num_upsampling_layers: string;
    use_vae: boolean;
    z_dim: number;
    init_type?: string;
    init_variance?: number;
    semantic_nc: number;
    crop_size: number;
    aspect_ratio: number;
    num_D?: number;
    n_layers_D?: number;
    output_nc?: number;
}

/** `spectralspadesyncbatch3x3` -> spectral, param-free norm, kernel. */
export function parseNormG(s: string): {
    spectral: boolean;
    paramFreeNorm: ParamFreeNorm;
    kernel: 3 | 5;
} {
    const m = /^(spectral)?spade(instance|syncbatch|batch)(\d)x\d$/.exec(s);
    if (!m)
        throw new Error(`norm_G '${s}' is not spectral?spade(instance|batch|syncbatch)(3|5)x(3|5)`);
    const k = Number(m[3]);
    if (k !== 3 && k !== 5) throw new Error(`norm_G '${s}': SPADE kernel must be 3 or 5`);
    return { spectral: m[1] !== undefined, paramFreeNorm: m[2] as ParamFreeNorm, kernel: k };
}

/** `spectralinstance` -> spectral, plain norm. */
export function parsePlainNorm(s: string): { spectral: boolean; norm: PlainNorm } {
    const spectral = s.startsWith('spectral');
    const rest = spectral ? s.slice('spectral'.length) : s;
    const norm = (rest === '' ? 'none' : rest) as PlainNorm;
    if (!['instance', 'batch', 'sync_batch', 'none'].includes(norm)) {
        throw new Error(`norm '${s}' is not [spectral](instance|batch|sync_batch|none)`);
    }
    return { spectral, norm };
}

/** GeneratorOptions equal to the reference's for `opt`. */
export function generatorFromReference(opt: ReferenceOpt): GeneratorOptions {
    const g = parseNormG(opt.norm_G);
    return {
        arch: 'spade',
        ngf: opt.ngf,
        upsampling: opt.num_upsampling_layers as Upsampling,
        spectral: g.spectral,
        paramFreeNorm: g.paramFreeNorm,
        spadeKernel: g.kernel,
        spadeHidden: 128,
        useVae: opt.use_vae,
        zDim: opt.z_dim,
        initType: (opt.init_type ?? 'xavier') as InitType,
        initVariance: opt.init_variance ?? 0.02,
    };
}

/** DiscriminatorOptions equal to the reference's for `opt`. */
export function discriminatorFromReference(opt: ReferenceOpt): DiscriminatorOptions {
    const d = parsePlainNorm(opt.norm_D ?? 'spectralinstance');
    return {
        arch: 'multiscale',
        numD: opt.num_D ?? 2,
        nLayers: opt.n_layers_D ?? 4,
        ndf: opt.ndf ?? 64,
        spectral: d.spectral,
        norm: d.norm,
    };
}

/** EncoderOptions equal to the reference's for `opt`. */
export function encoderFromReference(opt: ReferenceOpt): EncoderOptions {
    return parsePlainNorm(opt.norm_E ?? 'spectralinstance');
}
