/**
 * Exports the VAE style encoder (reference: models/networks/encoder.py ConvEncoder) to its own
 * ONNX model, written beside the generator's.
 *
 * Input: `image` float32 `[N, 3, H, W]`, RGB in [-1, 1] (ToTensor then Normalize(0.5, 0.5)),
 * any H and W; the graph resizes it to 256x256 (bilinear, half-pixel centres: PyTorch's
 * align_corners=False) as the reference does. Outputs: `mu` and `logvar`, float32
 * `[N, z_dim]`. Spectral norm must already be folded (`foldSpectralState`); batch norm runs
 * with its running statistics, instance norm without affine parameters.
 */
import type { EncoderOptions } from '../options';
import { GraphBuilder } from './graph';
import type { StateDict, StateTensor } from './types';

/** Metadata key under which `OnnxEncoderInfo` is stored as JSON. */
export const ENCODER_INFO_KEY = 'spade.encoder';

/** The reference resizes every image to this square before the first conv. */
export const ENCODE_SIZE = 256;

/** What an exported encoder expects and produces; stored in the model's metadata. */
export interface OnnxEncoderInfo {
    format: 'spade-encoder/1';
    /** Width of `mu` and `logvar`; equals the generator's `zDim`. */
    zDim: number;
    /** Stride-2 convs: 6 for crops of 256 or more, else 5 (and then no export, see below). */
    layers: number;
    norm: EncoderOptions['norm'];
    ngf: number;
}

/** The options the encoder export reads. */
export interface ExportEncoderOptions {
    norm: EncoderOptions['norm'];
    /** The reference sizes the encoder by the generator's ngf (ndf = ngf). */
    ngf: number;
    /** The dataset's crop size: 256 or more gives the sixth conv. */
    cropSize: number;
    zDim: number;
}

/** An exported encoder: the serialised ModelProto and what it expects. */
export interface ExportedEncoder {
    bytes: Uint8Array;
    info: OnnxEncoderInfo;
}

/** PyTorch's InstanceNorm2d and BatchNorm2d default. */
const NORM_EPS = 1e-5;

/** Weight lookup whose error names the tensor and the encoder options to check. */
function need(state: StateDict, name: string, shape: number[]): StateTensor {
    const t = state.get(name);
    if (t === undefined || t.shape.join(',') !== shape.join(',')) {
        const got = t === undefined ? 'is missing' : `has shape [${t.shape}]`;
        throw new Error(
            `encoder state '${name}' ${got}, the options need [${shape}]; the weights do not ` +
                'match the style encoder options (check ngf, z_dim and the encoder norm)',
        );
    }
    return t;
}

/** Builds the encoder graph from weights in the reference's state_dict names. */
export function exportEncoder(state: StateDict, o: ExportEncoderOptions): ExportedEncoder {
    if ([...state.keys()].some((k) => k.endsWith('.weight_orig'))) {
        throw new Error(
            'the encoder state still holds spectral-norm checkpoint tensors (weight_orig, ' +
                'weight_u, weight_v); fold them with foldSpectralState() before exporting',
        );
    }
    const layers = o.cropSize >= ENCODE_SIZE ? 6 : 5;
    const side = ENCODE_SIZE / 2 ** layers;
    if (side !== 4) {
        // The reference's fc layers expect 4x4 features, which only six convs give.
        throw new Error(
            `the style encoder needs crop size ${ENCODE_SIZE} or more (crop ${o.cropSize} gives ` +
                `${side}x${side} features where its fc layers expect 4x4); a run with this ` +
                'crop cannot have trained its encoder',
        );
    }
    const ndf = o.ngf;
    const chans = [3, ndf, ndf * 2, ndf * 4, ndf * 8, ndf * 8, ndf * 8].slice(0, layers + 1);
    const g = new GraphBuilder();
    const image = g.fresh('image');

    const nc = g.op('Slice', [
        g.op('Shape', [image]),
        g.intInit('starts', [1], [0]),
        g.intInit('ends', [1], [2]),
    ]);
    const sizes = g.op('Concat', [nc, g.intInit('hw', [2], [ENCODE_SIZE, ENCODE_SIZE])], {
        axis: 0,
    });
    let x = g.op('Resize', [image, '', '', sizes], {
        mode: 'linear',
        coordinate_transformation_mode: 'half_pixel',
    });
    const lrelu = (v: string) => g.op('LeakyRelu', [v], { alpha: 0.2 }, ['alpha']);
    for (let i = 1; i <= layers; i++) {
        if (i > 1) x = lrelu(x);
        x = normConv(g, state, o.norm, `layer${i}`, x, chans[i - 1], chans[i]);
    }
    const flat = g.op('Flatten', [lrelu(x)], { axis: 1 });
    const features = ndf * 8 * side * side;
    const linear = (name: string): string => {
        const w = need(state, `${name}.weight`, [o.zDim, features]);
        const b = need(state, `${name}.bias`, [o.zDim]);
        return g.op(
            'Gemm',
            [
                flat,
                g.floatInit(`${name}.weight`, w.shape, w.data),
                g.floatInit(`${name}.bias`, b.shape, b.data),
            ],
            { transB: 1 },
        );
    };
    g.rename(linear('fc_mu'), 'mu');
    g.rename(linear('fc_var'), 'logvar');

    const info: OnnxEncoderInfo = {
        format: 'spade-encoder/1',
        zDim: o.zDim,
        layers,
        norm: o.norm,
        ngf: o.ngf,
    };
    const bytes = g.encode(
        [{ name: image, type: 'float32', dims: ['N', 3, 'H', 'W'] }],
        [
            { name: 'mu', type: 'float32', dims: ['N', o.zDim] },
            { name: 'logvar', type: 'float32', dims: ['N', o.zDim] },
        ],
        { [ENCODER_INFO_KEY]: JSON.stringify(info) },
        'SPADE style encoder. Input image: RGB in [-1, 1], NCHW, any size (resized to 256x256 ' +
            'inside). Outputs mu and logvar of the style latent; z = mu + eps * exp(logvar / 2).',
        'spade_encoder',
    );
    return { bytes, info };
}

/**
 * `get_nonspade_norm_layer` around a 3x3 stride-2 conv: with a norm the conv has no bias and
 * sits at `<name>.0`, the norm at `<name>.1`; without one the conv is `<name>`.
 */
function normConv(
    g: GraphBuilder,
    state: StateDict,
    norm: EncoderOptions['norm'],
    name: string,
    x: string,
    cin: number,
    cout: number,
): string {
    const conv = norm === 'none' ? name : `${name}.0`;
    const w = need(state, `${conv}.weight`, [cout, cin, 3, 3]);
    const inputs = [x, g.floatInit(`${conv}.weight`, w.shape, w.data)];
    const b = state.get(`${conv}.bias`);
    if (b !== undefined) inputs.push(g.floatInit(`${conv}.bias`, b.shape, b.data));
    const y = g.op('Conv', inputs, { pads: [1, 1, 1, 1], strides: [2, 2] }, [], conv);
    if (norm === 'none') return y;
    const n = `${name}.1`;
    if (norm === 'instance') {
        // affine=False in the reference: scale 1, bias 0.
        const ones = g.floatInit(`${n}.scale`, [cout], new Float32Array(cout).fill(1));
        const zeros = g.floatInit(`${n}.bias`, [cout], new Float32Array(cout));
        return g.op('InstanceNormalization', [y, ones, zeros], { epsilon: NORM_EPS }, ['epsilon']);
    }
    const params = ['weight', 'bias', 'running_mean', 'running_var'].map((p) => {
        const t = need(state, `${n}.${p}`, [cout]);
        return g.floatInit(`${n}.${p}`, t.shape, t.data);
    });
    return g.op('BatchNormalization', [y, ...params], { epsilon: NORM_EPS }, ['epsilon']);
}
