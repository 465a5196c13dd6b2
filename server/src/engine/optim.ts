/**
 * Adam as PyTorch's `torch.optim.Adam` (bias-corrected, eps added after the square root),
 * with state that checkpoints (step, exp_avg, exp_avg_sq per parameter), and the reference's
 * TTUR and linear learning-rate decay.
 */
import * as tf from '@tensorflow/tfjs';
import { newVariable } from './layers/core';
import { fromTorch, toTorch, torchShape, type TorchLayout } from './layers/layout';
import type { OptimOptions } from './options';
import type { StateDict } from './state';

/** Learning rates and betas of the two optimisers, as `create_optimizers` sets them. */
export interface AdamSettings {
    lrG: number;
    lrD: number;
    beta1: number;
    beta2: number;
}

/** TTUR: G lr/2, D lr*2, betas (0, 0.9); otherwise lr for both and the given betas. */
export function adamSettings(o: OptimOptions, lr = o.lr): AdamSettings {
    return o.ttur
        ? { lrG: lr / 2, lrD: lr * 2, beta1: 0, beta2: 0.9 }
        : { lrG: lr, lrD: lr, beta1: o.beta1, beta2: o.beta2 };
}

/**
 * The base lr during `epoch` (1-based): constant for the first niter + 1 epochs, then lowered
 * by lr / niter_decay after each further epoch, as `update_learning_rate` does at epoch ends.
 */
export function learningRateAt(o: OptimOptions, epoch: number): number {
    if (o.niterDecay <= 0) return o.lr;
    const k = Math.max(0, epoch - o.niter - 1);
    return Math.max(0, o.lr * (1 - k / o.niterDecay));
}

/** Adam over a fixed list of named variables. */
export class Adam {
    step = 0;
    private readonly m = new Map<string, tf.Variable>();
    private readonly v = new Map<string, tf.Variable>();

    constructor(
        readonly vars: Map<string, tf.Variable>,
        public lr: number,
        public beta1: number,
        public beta2: number,
        /** Layouts of the variables kept other than PyTorch's (conv weights), by key. */
        private readonly layouts: ReadonlyMap<string, TorchLayout> = new Map(),
        readonly eps = 1e-8,
    ) {
        for (const [k, p] of vars) {
            this.m.set(k, newVariable(new Float32Array(p.size), p.shape, false));
            this.v.set(k, newVariable(new Float32Array(p.size), p.shape, false));
        }
    }

    /**
     * Applies one update. `grads` is keyed by tf.Variable name, as `tf.variableGrads` returns
     * it; parameters without a gradient are left alone. Disposes nothing it did not create.
     */
    apply(grads: Record<string, tf.Tensor>): void {
        this.step++;
        const bc1 = 1 - this.beta1 ** this.step;
        const bc2 = 1 - this.beta2 ** this.step;
        const stepSize = this.lr / bc1;
        const sq = Math.sqrt(bc2);
        // p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps), as PyTorch's Adam, written with the
        // constants folded: p -= (lr/bc1 * sqrt(bc2)) * m / (sqrt(v) + eps * sqrt(bc2)).
        const scale = stepSize * sq;
        const epsScaled = this.eps * sq;
        tf.tidy(() => {
            for (const [k, p] of this.vars) {
                const g = grads[p.name];
                if (g === undefined) continue;
                const m = this.m.get(k) as tf.Variable;
                const v = this.v.get(k) as tf.Variable;
                // beta1 = 0 (TTUR): the first moment is the gradient itself.
                const m2 =
                    this.beta1 === 0 ? g : tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
                const v2 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
                m.assign(m2);
                v.assign(v2);
                const update = tf.div(tf.mul(m2, scale), tf.add(tf.sqrt(v2), epsScaled));
                p.assign(tf.sub(p, update));
            }
        });
    }

    /** exp_avg / exp_avg_sq per parameter name (PyTorch layouts), plus `step` (1 element). */
    state(): StateDict {
        const out: StateDict = new Map();
        out.set('step', { shape: [], data: Float32Array.of(this.step) });
        const read = (k: string, t: tf.Tensor) =>
            toTorch(this.layouts.get(k), { shape: t.shape, data: Float32Array.from(t.dataSync()) });
        for (const [k, t] of this.m) out.set(`${k}.exp_avg`, read(k, t));
        for (const [k, t] of this.v) out.set(`${k}.exp_avg_sq`, read(k, t));
        return out;
    }

    /** Restores `state()`; throws naming a missing or misshapen entry. */
    loadState(s: StateDict): void {
        const step = s.get('step');
        if (!step) throw new Error('optimiser state has no step');
        this.step = step.data[0];
        for (const [suffix, map] of [
            ['exp_avg', this.m],
            ['exp_avg_sq', this.v],
        ] as const) {
            for (const [k, t] of map) {
                const e = s.get(`${k}.${suffix}`);
                const layout = this.layouts.get(k);
                const want = torchShape(layout, t.shape);
                const fits =
                    e && e.shape.length === want.length && e.shape.every((d, i) => d === want[i]);
                if (!e || !fits || e.data.length !== t.size)
                    throw new Error(
                        `optimiser state for '${k}' (${suffix}) is missing or has the wrong size`,
                    );
                t.assign(tf.tensor(fromTorch(layout, e.data), t.shape));
            }
        }
    }

    dispose(): void {
        for (const t of this.m.values()) t.dispose();
        for (const t of this.v.values()) t.dispose();
    }
}
