/**
 * Seeded random generator and style encoder weights with the reference's names and shapes,
 * for benchmarks and tests that need a model without a checkpoint (e.g. 'most' upsampling,
 * large crops).
 * Values follow the golden vectors' scheme: weights N(0, 1/fan_in) where fan_in counts only
 * the active channels of a one-hot input, biases N(0, 0.1^2), batch-norm variances in
 * [0.5, 1.5).
 */
import type { ExportEncoderOptions } from './encoder-export';
import { ENCODE_SIZE } from './encoder-export';
import type { ExportDataset, ExportGenerator } from './export';
import { latentSize } from './export';
import type { StateDict } from './types';

// The engine's PRNG: its module has no tfjs import, so the ORT path stays free of tfjs.
import { Rng } from '../init';

export { Rng };

/** Random weights for the SPADE generator the options describe. */
export function randomGeneratorState(
    gen: ExportGenerator & { spadeHidden?: number },
    data: ExportDataset,
    seed = 1,
): StateDict {
    const rng = new Rng(seed);
    const state: StateDict = new Map();
    const nf = gen.ngf;
    const k = gen.spadeKernel;
    const hidden = gen.spadeHidden ?? 128;
    const labels = data.labelNc + (data.containDontcare ? 1 : 0);
    const semCh = labels + (data.useInstance ? 1 : 0);
    // Active channels per tap of a one-hot input: one label, plus the edge bit.
    const oneHotFan = data.useInstance ? 2 : 1;
    const put = (name: string, shape: number[], std: number) => {
        const n = shape.reduce((a, b) => a * b, 1);
        state.set(name, { shape, data: rng.normals(n, std) });
    };
    const convW = (name: string, cout: number, cin: number, ks: number, fanIn = cin * ks * ks) =>
        put(`${name}.weight`, [cout, cin, ks, ks], 1 / Math.sqrt(fanIn));
    const bias = (name: string, n: number) => put(`${name}.bias`, [n], 0.1);
    const spade = (name: string, c: number) => {
        convW(`${name}.mlp_shared.0`, hidden, semCh, k, oneHotFan * k * k);
        bias(`${name}.mlp_shared.0`, hidden);
        for (const part of ['mlp_gamma', 'mlp_beta']) {
            convW(`${name}.${part}`, c, hidden, k);
            bias(`${name}.${part}`, c);
        }
        if (gen.paramFreeNorm !== 'instance') {
            put(`${name}.param_free_norm.running_mean`, [c], 0.5);
            const vari = new Float32Array(c);
            for (let i = 0; i < c; i++) vari[i] = 0.5 + rng.uniform();
            state.set(`${name}.param_free_norm.running_var`, { shape: [c], data: vari });
        }
    };
    const block = (name: string, fin: number, fout: number) => {
        const fmid = Math.min(fin, fout);
        convW(`${name}.conv_0`, fmid, fin, 3);
        bias(`${name}.conv_0`, fmid);
        convW(`${name}.conv_1`, fout, fmid, 3);
        bias(`${name}.conv_1`, fout);
        spade(`${name}.norm_0`, fin);
        spade(`${name}.norm_1`, fmid);
        if (fin !== fout) {
            convW(`${name}.conv_s`, fout, fin, 1);
            spade(`${name}.norm_s`, fin);
        }
    };
    const layers = gen.arch === 'layers' ? (gen.layers ?? []) : [];
    const ups =
        gen.arch === 'layers' ? layers.filter((l) => l.kind === 'upsample').length : gen.upsampling;
    const fcc = layers.find((l) => l.kind !== 'upsample')?.channels ?? 16 * nf;
    const { sh, sw } = latentSize(data.cropSize, data.aspectRatio, ups);
    if (gen.useVae) {
        const z = gen.zDim ?? 256;
        put('fc.weight', [fcc * sh * sw, z], 1 / Math.sqrt(z));
        bias('fc', fcc * sh * sw);
    } else {
        convW('fc', fcc, semCh, 3, oneHotFan * 9);
        bias('fc', fcc);
    }
    let finalNc = nf;
    if (gen.arch === 'layers') {
        let c = fcc;
        (gen.layers ?? []).forEach((l, i) => {
            if (l.kind === 'spade_resblock') block(`body.${i}`, c, l.channels);
            else if (l.kind === 'conv') {
                convW(`body.${i}`, l.channels, c, 3);
                bias(`body.${i}`, l.channels);
            }
            if (l.kind !== 'upsample') c = l.channels;
        });
        finalNc = c;
    } else {
        block('head_0', 16 * nf, 16 * nf);
        block('G_middle_0', 16 * nf, 16 * nf);
        block('G_middle_1', 16 * nf, 16 * nf);
        const chans = [16 * nf, 8 * nf, 4 * nf, 2 * nf, nf];
        for (let i = 0; i < 4; i++) block(`up_${i}`, chans[i], chans[i + 1]);
        if (gen.upsampling === 'most') {
            finalNc = Math.floor(nf / 2);
            block('up_4', nf, finalNc);
        }
    }
    convW('conv_img', 3, finalNc, 3);
    bias('conv_img', 3);
    return state;
}

/** Random weights for the VAE style encoder (ConvEncoder) the options describe. */
export function randomEncoderState(o: ExportEncoderOptions, seed = 1): StateDict {
    const rng = new Rng(seed);
    const state: StateDict = new Map();
    const put = (name: string, shape: number[], std: number) => {
        const n = shape.reduce((a, b) => a * b, 1);
        state.set(name, { shape, data: rng.normals(n, std) });
    };
    const layers = o.cropSize >= ENCODE_SIZE ? 6 : 5;
    const ndf = o.ngf;
    const chans = [3, ndf, ndf * 2, ndf * 4, ndf * 8, ndf * 8, ndf * 8];
    for (let i = 1; i <= layers; i++) {
        const [cin, cout] = [chans[i - 1], chans[i]];
        const conv = o.norm === 'none' ? `layer${i}` : `layer${i}.0`;
        put(`${conv}.weight`, [cout, cin, 3, 3], 1 / Math.sqrt(cin * 9));
        if (o.norm === 'none') put(`${conv}.bias`, [cout], 0.1);
        if (o.norm === 'batch' || o.norm === 'sync_batch') {
            const n = `layer${i}.1`;
            const gamma = rng.normals(cout, 0.1);
            for (let c = 0; c < cout; c++) gamma[c] += 1;
            state.set(`${n}.weight`, { shape: [cout], data: gamma });
            put(`${n}.bias`, [cout], 0.1);
            put(`${n}.running_mean`, [cout], 0.5);
            const vari = new Float32Array(cout);
            for (let c = 0; c < cout; c++) vari[c] = 0.5 + rng.uniform();
            state.set(`${n}.running_var`, { shape: [cout], data: vari });
        }
    }
    const features = ndf * 8 * 16;
    for (const fc of ['fc_mu', 'fc_var']) {
        put(`${fc}.weight`, [o.zDim, features], 1 / Math.sqrt(features));
        put(`${fc}.bias`, [o.zDim], 0.1);
    }
    return state;
}
