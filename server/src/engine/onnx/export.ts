/**
 * Exports the SPADE generator (normal, more or most upsampling; optionally the VAE variant
 * with a z input) to an ONNX model that onnxruntime runs.
 *
 * Inputs: `semantics` float32 `[N, semantic_nc, H, W]` (one-hot labels, then the instance
 * edge channel when the dataset uses instances) and, for VAE models, `z` float32
 * `[N, z_dim]`. Output: `image` float32 `[N, 3, H, W]` in [-1, 1]. H and W are the model's
 * output size; the segmap is resized inside with PyTorch's nearest rule, so the graph equals
 * the reference's eval-mode forward. Spectral norm must already be folded into the weights
 * (`foldSpectralState`); batch norm runs with its running statistics.
 */
import type { DatasetOptions, GeneratorOptions } from '../options';
import { GraphBuilder } from './graph';
import type { ValueSpec } from './graph';
import { roundHalfEven, torchNearestIndex } from './nearest';
import { conv, need } from './context';
import type { SpadeContext } from './context';
import { resBlock } from './spade-graph';
import type { OnnxModelInfo, StateDict } from './types';

/** Metadata key under which `OnnxModelInfo` is stored as JSON. */
export const INFO_KEY = 'spade.info';

/** The dataset facts the generator's input depends on. */
export type ExportDataset = Pick<
    DatasetOptions,
    'labelNc' | 'containDontcare' | 'useInstance' | 'cropSize' | 'aspectRatio'
>;

/** The generator options the exporter reads. */
export type ExportGenerator = Pick<
    GeneratorOptions,
    'arch' | 'ngf' | 'upsampling' | 'paramFreeNorm' | 'spadeKernel' | 'useVae'
> &
    Partial<Pick<GeneratorOptions, 'zDim' | 'layers'>>;

/** Export choices. */
export interface ExportOptions {
    /** 'onehot' (default) computes mlp_shared as table lookups; 'plain' as convolutions. */
    mode?: 'onehot' | 'plain';
    /** How onehot mode sums the conv taps (see `SpadeContext.lookup`); default 'patterns'. */
    lookup?: 'patterns' | 'taps';
    /** 'patterns' lookup: smallest map (h*w) whose gamma/beta use patterns; default 4096. */
    patternMinPixels?: number;
}

/** An exported model: the serialised ModelProto and what it expects. */
export interface ExportedModel {
    bytes: Uint8Array;
    info: OnnxModelInfo;
}

const UPSAMPLES: Record<GeneratorOptions['upsampling'], number> = { normal: 5, more: 6, most: 7 };

/** Latent size (sh, sw) as the reference's `compute_latent_vector_size`. */
export function latentSize(
    cropSize: number,
    aspectRatio: number,
    upsampling: GeneratorOptions['upsampling'] | number,
): { sh: number; sw: number; ups: number } {
    const ups = typeof upsampling === 'number' ? upsampling : UPSAMPLES[upsampling];
    const sw = Math.floor(cropSize / 2 ** ups);
    const sh = roundHalfEven(sw / aspectRatio);
    if (sw < 1 || sh < 1) {
        throw new Error(
            `crop_size ${cropSize} with aspect ratio ${aspectRatio} is too small for ` +
                `${ups} upsamplings; use a crop of at least ${2 ** ups}`,
        );
    }
    return { sh, sw, ups };
}

/** Builds the generator graph from weights in the reference's state_dict names. */
export function exportGenerator(
    state: StateDict,
    gen: ExportGenerator,
    data: ExportDataset,
    options: ExportOptions = {},
): ExportedModel {
    if ([...state.keys()].some((k) => k.endsWith('.weight_orig'))) {
        throw new Error(
            'the state dict still holds spectral-norm checkpoint tensors (weight_orig, ' +
                'weight_u, weight_v); fold them with foldSpectralState() before exporting',
        );
    }
    const mode = options.mode ?? 'onehot';
    const plan = stagePlan(gen);
    const { sh, sw, ups } = latentSize(data.cropSize, data.aspectRatio, plan.ups);
    const fcc = plan.fcChannels;
    const H = sh * 2 ** ups;
    const W = sw * 2 ** ups;
    const labelChannels = data.labelNc + (data.containDontcare ? 1 : 0);
    const semCh = labelChannels + (data.useInstance ? 1 : 0);
    const zDim = gen.useVae ? (gen.zDim ?? 256) : 0;

    const g = new GraphBuilder();
    const semantics = g.fresh('semantics');
    const inputs: ValueSpec[] = [{ name: semantics, type: 'float32', dims: ['N', semCh, H, W] }];
    const ctx: SpadeContext = {
        g,
        state,
        mode,
        norm: gen.paramFreeNorm,
        kernel: gen.spadeKernel,
        semantics,
        inHeight: H,
        inWidth: W,
        labelChannels,
        useInstance: data.useInstance,
        lookup: options.lookup ?? 'patterns',
        patternMinPixels: options.patternMinPixels ?? 4096,
        cache: new Map(),
    };
    if (mode === 'onehot')
        ctx.code = labelCode(g, semantics, labelChannels, data.useInstance, H, W);

    let x: string;
    if (gen.useVae) {
        const z = g.fresh('z');
        inputs.push({ name: z, type: 'float32', dims: ['N', zDim] });
        const fw = need(state, 'fc.weight', [fcc * sh * sw, zDim]);
        const fb = need(state, 'fc.bias', [fcc * sh * sw]);
        x = g.op(
            'Gemm',
            [
                z,
                g.floatInit('fc.weight', fw.shape, fw.data),
                g.floatInit('fc.bias', fb.shape, fb.data),
            ],
            { transB: 1 },
        );
        x = g.op('Reshape', [x, g.intInit('shape', [4], [-1, fcc, sh, sw])]);
    } else {
        need(state, 'fc.weight', [fcc, semCh, 3, 3]);
        const rows = g.intInit('rows', [sh], torchNearestIndex(H, sh));
        const cols = g.intInit('cols', [sw], torchNearestIndex(W, sw));
        const small = g.op('Gather', [g.op('Gather', [semantics, rows], { axis: 2 }), cols], {
            axis: 3,
        });
        x = conv(ctx, small, 'fc', 1);
    }

    let h = sh;
    let w = sw;
    const upsample = (v: string): string => {
        h *= 2;
        w *= 2;
        const scales = g.floatInit('scales2', [4], new Float32Array([1, 1, 2, 2]));
        return g.op('Resize', [v, '', scales], {
            mode: 'nearest',
            coordinate_transformation_mode: 'asymmetric',
            nearest_mode: 'floor',
        });
    };
    const lrelu = (v: string) => g.op('LeakyRelu', [v], { alpha: 0.2 }, ['alpha']);
    for (const st of plan.stages) {
        if (st.kind === 'up') x = upsample(x);
        else if (st.kind === 'block') x = resBlock(ctx, x, st.name, st.fin, st.fout, h, w);
        else {
            need(state, `${st.name}.weight`, [st.fout, st.fin, 3, 3]);
            x = conv(ctx, lrelu(x), st.name, 1);
        }
    }
    const img = need(state, 'conv_img.weight');
    if (img.shape[1] !== plan.finalNc || img.shape[2] !== 3) {
        throw new Error(
            `state dict 'conv_img.weight' has shape [${img.shape}]; the generator options ` +
                `need [out, ${plan.finalNc}, 3, 3]`,
        );
    }
    x = conv(ctx, lrelu(x), 'conv_img', 1);
    const image = g.op('Tanh', [x]);
    g.rename(image, 'image');

    const info: OnnxModelInfo = {
        format: 'spade-generator/1',
        mode,
        labelChannels,
        labelNc: data.labelNc,
        containDontcare: data.containDontcare,
        useInstance: data.useInstance,
        semanticChannels: semCh,
        outputChannels: img.shape[0],
        height: H,
        width: W,
        zDim,
        ngf: gen.ngf,
        arch: gen.arch,
        upsampling: gen.upsampling,
    };
    const bytes = g.encode(
        inputs,
        [{ name: 'image', type: 'float32', dims: ['N', img.shape[0], H, W] }],
        { [INFO_KEY]: JSON.stringify(info) },
        'SPADE generator. Input semantics: one-hot labels' +
            (data.useInstance ? ' then the instance edge channel' : '') +
            (gen.useVae ? '; z: style latent' : '') +
            '. Output image: RGB in [-1, 1].',
    );
    return { bytes, info };
}

/**
 * Per-pixel code `label + (labelChannels + 1) * edge` as int64 `[N, H, W]`, from the one-hot
 * input by one product with integer weights (exact in float32): `sum_c (c - Lc) s_c + Lc`
 * is the label for a one-hot pixel and `Lc` (the "no label" code) for an all-zero one.
 */
function labelCode(
    g: GraphBuilder,
    semantics: string,
    labelChannels: number,
    useInstance: boolean,
    height: number,
    width: number,
): string {
    const cin = labelChannels + (useInstance ? 1 : 0);
    const wdata = new Float32Array(cin);
    for (let c = 0; c < labelChannels; c++) wdata[c] = c - labelChannels;
    if (useInstance) wdata[labelChannels] = labelChannels + 1;
    // A [1, C] x [N, C, H*W] MatMul rather than a 1x1 Conv: the Conv would first reorder the
    // whole one-hot input into ORT's blocked layout, which costs more than the product.
    const weight = g.floatInit('code.weight', [1, cin], wdata);
    const bias = g.floatInit('code.bias', [1], new Float32Array([labelChannels]));
    const flat = g.op('Reshape', [semantics, g.intInit('shape', [3], [0, cin, height * width])]);
    const codeF = g.op('Add', [g.op('MatMul', [weight, flat]), bias], {}, [], 'code_f');
    const squeezed = g.op('Reshape', [codeF, g.intInit('shape', [3], [-1, height, width])]);
    return g.op('Cast', [squeezed], { to: 7 }, [], 'code');
}

/** One step of the generator body after `fc`. */
type Stage = { kind: 'up' } | { kind: 'block' | 'conv'; name: string; fin: number; fout: number };

/**
 * The body as stages: the reference's head_0 .. up_3 (+ up_4 for 'most'), or the user's
 * layer list (`body.<i>`: SPADE ResNet blocks, 3x3 convs after a leaky ReLU, upsamples).
 */
function stagePlan(gen: ExportGenerator): {
    stages: Stage[];
    fcChannels: number;
    finalNc: number;
    ups: number;
} {
    const stages: Stage[] = [];
    if (gen.arch === 'layers') {
        const layers = gen.layers ?? [];
        const first = layers.find((l) => l.kind !== 'upsample');
        if (first === undefined) {
            throw new Error('generator arch "layers" needs at least one block or conv layer');
        }
        let c = first.channels;
        layers.forEach((l, i) => {
            if (l.kind === 'upsample') stages.push({ kind: 'up' });
            else {
                const kind = l.kind === 'conv' ? 'conv' : 'block';
                stages.push({ kind, name: `body.${i}`, fin: c, fout: l.channels });
                c = l.channels;
            }
        });
        const ups = stages.filter((s) => s.kind === 'up').length;
        return { stages, fcChannels: first.channels, finalNc: c, ups };
    }
    const nf = gen.ngf;
    const block = (name: string, fin: number, fout: number): Stage => ({
        kind: 'block',
        name,
        fin,
        fout,
    });
    stages.push(block('head_0', 16 * nf, 16 * nf), { kind: 'up' });
    stages.push(block('G_middle_0', 16 * nf, 16 * nf));
    if (gen.upsampling !== 'normal') stages.push({ kind: 'up' });
    stages.push(block('G_middle_1', 16 * nf, 16 * nf));
    const chans = [16 * nf, 8 * nf, 4 * nf, 2 * nf, nf];
    for (let i = 0; i < 4; i++)
        stages.push({ kind: 'up' }, block(`up_${i}`, chans[i], chans[i + 1]));
    let finalNc = nf;
    if (gen.upsampling === 'most') {
        finalNc = Math.floor(nf / 2);
        stages.push({ kind: 'up' }, block('up_4', nf, finalNc));
    }
    return { stages, fcChannels: 16 * nf, finalNc, ups: UPSAMPLES[gen.upsampling] };
}
