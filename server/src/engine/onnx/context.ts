/**
 * What the SPADE graph builders share: the graph, the weights and the per-resolution cache of
 * resized inputs, plus weight lookups whose errors name the tensor and the fix.
 */
import type { GraphBuilder } from './graph';
import type { StateDict, StateTensor } from './types';

/** Per-graph facts the layers need. */
export interface SpadeContext {
    g: GraphBuilder;
    state: StateDict;
    mode: 'onehot' | 'plain';
    norm: 'instance' | 'batch' | 'syncbatch';
    kernel: number;
    /** Full-size inputs: `semantics` (float NCHW) and, in onehot mode, `code` (int64 NHW). */
    semantics: string;
    code?: string;
    inHeight: number;
    inWidth: number;
    /** One-hot label channels; the code of "no label" (zero padding) is this value. */
    labelChannels: number;
    useInstance: boolean;
    /**
     * How onehot mode sums the taps: 'patterns' finds the distinct k*k code patterns once per
     * resolution (ONNX Unique) and computes mlp_shared once per pattern, then one row per
     * pixel; 'taps' gathers every tap of every pixel. Same numbers; 'patterns' is faster for
     * real masks (large uniform regions), 'taps' for noise-like maps.
     */
    lookup: 'patterns' | 'taps';
    /**
     * 'patterns' lookup: gamma and beta go through level-2 patterns only on maps of at least
     * this many pixels; smaller maps have nearly as many patterns as pixels, so there the
     * convs are cheaper and only mlp_shared uses patterns.
     */
    patternMinPixels: number;
    /** Resized inputs per `${h}x${w}`, built on first use. */
    cache: Map<string, string>;
}

/** Weight lookup that names the missing tensor and the layer that needs it. */
export function need(state: StateDict, name: string, shape?: number[]): StateTensor {
    const t = state.get(name);
    if (t === undefined) {
        throw new Error(
            `state dict has no '${name}'; the weights do not match the generator options ` +
                '(check ngf, upsampling, use_vae and the label channels)',
        );
    }
    if (shape !== undefined && t.shape.join(',') !== shape.join(',')) {
        throw new Error(
            `state dict '${name}' has shape [${t.shape}], the options need [${shape}]; ` +
                'check ngf, label channels and the SPADE kernel/hidden size',
        );
    }
    return t;
}

/** A conv whose weight (and bias, when present in the state) come from `prefix`. */
export function conv(ctx: SpadeContext, x: string, prefix: string, pad: number): string {
    const w = need(ctx.state, `${prefix}.weight`);
    const inputs = [x, ctx.g.floatInit(`${prefix}.weight`, w.shape, w.data)];
    const b = ctx.state.get(`${prefix}.bias`);
    if (b !== undefined) inputs.push(ctx.g.floatInit(`${prefix}.bias`, b.shape, b.data));
    return ctx.g.op('Conv', inputs, { pads: [pad, pad, pad, pad] }, [], prefix);
}
