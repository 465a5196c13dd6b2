/**
 * The SPADE layer and SPADE ResNet block as ONNX nodes. In 'plain' mode every conv is a Conv
 * node, as the reference computes it; in 'onehot' mode the convs that only see the label map
 * are computed from its one-hot structure (onehot-graph.ts). The segmap is resized once per
 * resolution and shared by every SPADE layer there, as they all read the same resized map.
 */
import type { SpadeContext } from './context';
import { conv, need } from './context';
import { torchNearestIndex } from './nearest';
import { patternActivation, patternModulation, tapActivation } from './onehot-graph';

/** The segmap at h x w with PyTorch's nearest rule (Gather with constant indices). */
function resizedSemantics(ctx: SpadeContext, h: number, w: number): string {
    const key = `sem:${h}x${w}`;
    const hit = ctx.cache.get(key);
    if (hit !== undefined) return hit;
    let v = ctx.semantics;
    if (h !== ctx.inHeight || w !== ctx.inWidth) {
        const rows = ctx.g.intInit('rows', [h], torchNearestIndex(ctx.inHeight, h));
        const cols = ctx.g.intInit('cols', [w], torchNearestIndex(ctx.inWidth, w));
        v = ctx.g.op('Gather', [v, rows], { axis: 2 }, [], `seg_${h}x${w}`);
        v = ctx.g.op('Gather', [v, cols], { axis: 3 }, [], `seg_${h}x${w}`);
    }
    ctx.cache.set(key, v);
    return v;
}

/** Parameter-free norm: instance norm, or eval batch norm with the stored running stats. */
function paramFreeNorm(ctx: SpadeContext, x: string, prefix: string, channels: number): string {
    const g = ctx.g;
    const ones = g.floatInit('ones', [channels], new Float32Array(channels).fill(1));
    const zeros = g.floatInit('zeros', [channels], new Float32Array(channels));
    if (ctx.norm === 'instance') {
        return g.op('InstanceNormalization', [x, ones, zeros], { epsilon: 1e-5 }, ['epsilon']);
    }
    const pf = `${prefix}.param_free_norm`;
    const mean = need(ctx.state, `${pf}.running_mean`, [channels]);
    const vari = need(ctx.state, `${pf}.running_var`, [channels]);
    return g.op(
        'BatchNormalization',
        [
            x,
            ones,
            zeros,
            g.floatInit(`${pf}.running_mean`, [channels], mean.data),
            g.floatInit(`${pf}.running_var`, [channels], vari.data),
        ],
        { epsilon: 1e-5 },
        ['epsilon'],
    );
}

/** `SPADE(x, segmap)`: norm(x) * (1 + gamma(seg)) + beta(seg), seg resized to x's size. */
export function spade(
    ctx: SpadeContext,
    x: string,
    prefix: string,
    channels: number,
    h: number,
    w: number,
): string {
    const g = ctx.g;
    const pad = (ctx.kernel - 1) / 2;
    const normalized = paramFreeNorm(ctx, x, prefix, channels);
    const patterns = ctx.mode === 'onehot' && ctx.lookup === 'patterns';
    if (patterns && h * w >= ctx.patternMinPixels) {
        const { gamma1, beta } = patternModulation(ctx, prefix, channels, h, w);
        return g.op('Add', [g.op('Mul', [normalized, gamma1]), beta], {}, [], `${prefix}.out`);
    }
    const actv =
        ctx.mode === 'plain'
            ? g.op('Relu', [conv(ctx, resizedSemantics(ctx, h, w), `${prefix}.mlp_shared.0`, pad)])
            : patterns
              ? patternActivation(ctx, prefix, h, w)
              : tapActivation(ctx, prefix, h, w);
    const gamma = conv(ctx, actv, `${prefix}.mlp_gamma`, pad);
    const beta = conv(ctx, actv, `${prefix}.mlp_beta`, pad);
    const one = g.floatInit('one', [1], new Float32Array([1]));
    const scaled = g.op('Mul', [normalized, g.op('Add', [gamma, one])]);
    return g.op('Add', [scaled, beta], {}, [], `${prefix}.out`);
}

/** `SPADEResnetBlock`: learned 1x1 shortcut when fin != fout; leaky ReLU 0.2 before convs. */
export function resBlock(
    ctx: SpadeContext,
    x: string,
    prefix: string,
    fin: number,
    fout: number,
    h: number,
    w: number,
): string {
    const g = ctx.g;
    const fmid = Math.min(fin, fout);
    const lrelu = (v: string) => g.op('LeakyRelu', [v], { alpha: 0.2 }, ['alpha']);
    const shortcut =
        fin === fout
            ? x
            : conv(ctx, spade(ctx, x, `${prefix}.norm_s`, fin, h, w), `${prefix}.conv_s`, 0);
    need(ctx.state, `${prefix}.conv_0.weight`, [fmid, fin, 3, 3]);
    need(ctx.state, `${prefix}.conv_1.weight`, [fout, fmid, 3, 3]);
    let dx = conv(ctx, lrelu(spade(ctx, x, `${prefix}.norm_0`, fin, h, w)), `${prefix}.conv_0`, 1);
    dx = conv(ctx, lrelu(spade(ctx, dx, `${prefix}.norm_1`, fmid, h, w)), `${prefix}.conv_1`, 1);
    return g.op('Add', [shortcut, dx], {}, [], `${prefix}.out`);
}
