/**
 * The engine's training step: the reference's Pix2PixTrainer (generator step, then
 * discriminator step; TTUR Adam; losses as pix2pix_model.py), with state that checkpoints
 * exactly (G, D, E with spectral-norm vectors and BatchNorm statistics, both Adam states, step).
 *
 * On the wasm backend the step's matrix work (convolutions, their gradients, matMuls, the
 * one-hot lookups) runs on onnxruntime's CPU kernels (ort-kernels.ts); docs/engine.md,
 * Benchmark, has the step beside PyTorch's.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, ortKernelsWanted, type BackendReport } from './backend';
import { Rng } from './init';
import { featureMatchingLoss, ganLoss, dividePred, kldLoss } from './losses';
import { MultiscaleDiscriminator, type DOneHotInput } from './nets/discriminator';
import { ConvEncoder, reparameterize } from './nets/encoder';
import { SpadeGenerator } from './nets/generator';
import { Adam, adamSettings } from './optim';
import { semanticChannels, type RunOptions } from './options';
import { addPrefixed, subState, type StateDict } from './state';
import { exportState, loadState } from './state-io';
import { Vgg19 } from './vgg';

/**
 * One batch in NCHW float32 arrays (the data pipeline's `Batch` fits): `semantics` is the
 * one-hot + edge map [size, channels, height, width], `image` the real image in [-1, 1].
 */
export interface TrainBatch {
    size: number;
    height: number;
    width: number;
    channels: number;
    semantics: Float32Array;
    image: Float32Array;
}

/** One step's tensors (NHWC) and, with the lookups, label ids and the channels after them. */
interface StepInputs {
    seg: tf.Tensor4D;
    real: tf.Tensor4D;
    ids?: Int32Array;
    rest?: tf.Tensor4D;
}

/** Loss values of a step by name: G_GAN, G_GAN_Feat, G_VGG, KLD, D_Fake, D_real. */
export type StepLosses = Record<string, number>;

/** Everything a checkpoint holds (StateDicts under PyTorch names; SN vectors inside G/D/E). */
export interface EngineState {
    G: StateDict;
    D: StateDict;
    E?: StateDict;
    optimizer_G: StateDict;
    optimizer_D: StateDict;
    /** Generator and discriminator updates done so far. */
    step: number;
}

/** Options of `createTrainer`. */
export interface TrainerSetup {
    /** Skip backend selection (tests and benchmarks that chose one already). */
    keepBackend?: boolean;
}

/** The networks and optimisers of one run. */
export class SpadeTrainer {
    readonly G: SpadeGenerator;
    readonly D: MultiscaleDiscriminator;
    readonly E: ConvEncoder | null;
    readonly optG: Adam;
    readonly optD: Adam;
    private readonly vgg: Vgg19 | null;
    /** Completed trainStep calls (for D_steps_per_G and seeded noise). */
    step = 0;
    /** One-hot channels read as table lookups by G's SPADE and D's first conv (undefined: dense). */
    private readonly oneHot: number | undefined;
    /** D normalises per sample, so its fake and real halves may run as separate passes. */
    private readonly perSampleD: boolean;

    constructor(
        readonly opts: RunOptions,
        readonly backend: BackendReport | null,
    ) {
        const g = opts.generator;
        const rng = new Rng(opts.seed);
        const init = { type: g.initType, gain: g.initVariance, rng };
        const ds = opts.dataset;
        const snc = semanticChannels(ds);
        const oneHot = ds.labelNc + (ds.containDontcare ? 1 : 0);
        this.G = new SpadeGenerator(
            g,
            {
                semanticNc: snc,
                cropSize: ds.cropSize,
                aspectRatio: ds.aspectRatio,
                outputNc: opts.outputNc,
                oneHotChannels: g.oneHotLookup === false ? undefined : oneHot,
            },
            init,
        );
        this.D = new MultiscaleDiscriminator(opts.discriminator, snc + opts.outputNc, init);
        this.oneHot = g.oneHotLookup === false ? undefined : oneHot;
        this.perSampleD =
            opts.discriminator.norm === 'instance' || opts.discriminator.norm === 'none';
        this.E = g.useVae ? new ConvEncoder(opts.encoder, g.ngf, ds.cropSize, init, g.zDim) : null;
        for (const s of this.stores()) s.training = true;
        const a = adamSettings(opts.optim);
        const gVars = new Map(this.G.store.params);
        const gLayouts = new Map(this.G.store.layouts);
        if (this.E) {
            for (const [k, v] of this.E.store.params) gVars.set(`E.${k}`, v);
            for (const [k, l] of this.E.store.layouts) gLayouts.set(`E.${k}`, l);
        }
        this.optG = new Adam(gVars, a.lrG, a.beta1, a.beta2, gLayouts);
        this.optD = new Adam(this.D.store.params, a.lrD, a.beta1, a.beta2, this.D.store.layouts);
        this.vgg = opts.loss.lambdaVgg > 0 ? Vgg19.load(opts.loss.vggWeights) : null;
    }

    private stores() {
        return [this.G.store, this.D.store, ...(this.E ? [this.E.store] : [])];
    }

    /** Sets the base learning rate (e.g. from `learningRateAt`); TTUR splits it as the reference. */
    setLearningRate(lr: number): { G: number; D: number } {
        const a = adamSettings(this.opts.optim, lr);
        this.optG.lr = a.lrG;
        this.optD.lr = a.lrD;
        return { G: a.lrG, D: a.lrD };
    }

    /**
     * The last batch's tensors: the G and D steps of one iteration convert a batch once (the
     * D step releases them; a batch object must not change between the two steps).
     */
    private held: { batch: TrainBatch; inp: StepInputs } | undefined;

    private inputsOf(b: TrainBatch): StepInputs {
        if (this.held?.batch === b) return this.held.inp;
        this.releaseInputs();
        const inp = this.inputs(b);
        this.held = { batch: b, inp };
        return inp;
    }

    private releaseInputs(): void {
        const h = this.held;
        if (!h) return;
        tf.dispose([h.inp.seg, h.inp.real, ...(h.inp.rest ? [h.inp.rest] : [])]);
        this.held = undefined;
    }

    private inputs(b: TrainBatch): StepInputs {
        const want = semanticChannels(this.opts.dataset);
        if (b.channels !== want) {
            throw new Error(
                `batch has ${b.channels} semantic channels; ` +
                    `the options give ${want} (labels + dontcare + edge)`,
            );
        }
        const t = tf.tidy(() => ({
            seg: tf.transpose<tf.Tensor4D>(
                tf.tensor4d(b.semantics, [b.size, b.channels, b.height, b.width]),
                [0, 2, 3, 1],
            ),
            real: tf.transpose<tf.Tensor4D>(
                tf.tensor4d(b.image, [b.size, this.opts.outputNc, b.height, b.width]),
                [0, 2, 3, 1],
            ),
        }));
        const c = this.oneHot;
        if (c === undefined) return t;
        // Label ids and the channels after the labels, read from the NCHW planes directly.
        const plane = b.height * b.width;
        const ids = new Int32Array(b.size * plane).fill(c);
        const extra = b.channels - c;
        const rest = new Float32Array(b.size * extra * plane);
        for (let n = 0; n < b.size; n++) {
            const base = n * b.channels * plane;
            for (let ch = 0; ch < c; ch++) {
                const o = base + ch * plane;
                for (let q = 0; q < plane; q++)
                    if (b.semantics[o + q] > 0.5) ids[n * plane + q] = ch;
            }
            rest.set(
                b.semantics.subarray(base + c * plane, base + b.channels * plane),
                n * extra * plane,
            );
        }
        const restNchw = tf.tensor4d(rest, [b.size, extra, b.height, b.width]);
        const restNhwc =
            extra === 1
                ? tf.reshape<tf.Rank.R4>(restNchw, [b.size, b.height, b.width, 1])
                : tf.transpose<tf.Tensor4D>(restNchw, [0, 2, 3, 1]);
        if (restNhwc !== restNchw) restNchw.dispose();
        return { ...t, ids, rest: extra > 0 ? restNhwc : undefined };
    }

    /** D's input channels after the one-hot labels (edge map, image), for its lookup. */
    private dOneHot(img: tf.Tensor4D, inp: StepInputs): DOneHotInput | undefined {
        const c = this.oneHot;
        if (c === undefined || inp.ids === undefined) return undefined;
        const dense = inp.rest ? tf.concat([inp.rest, img], 3) : img;
        return { ids: inp.ids, classes: c, dense };
    }

    /** Fake image (and mu/logvar for the VAE) for one batch. */
    private generate(inp: StepInputs): {
        fake: tf.Tensor4D;
        mu?: tf.Tensor2D;
        logvar?: tf.Tensor2D;
    } {
        const { seg, real, ids } = inp;
        if (!this.E) return { fake: this.G.forward(seg, undefined, undefined, ids) };
        const { mu, logvar } = this.E.forward(real);
        const eps = tf.randomNormal<tf.Rank.R2>(
            mu.shape,
            0,
            1,
            'float32',
            (this.opts.seed * 7919 + this.step) % 2147483647,
        );
        const z = reparameterize(mu, logvar, eps);
        return { fake: this.G.forward(seg, z, undefined, ids), mu, logvar };
    }

    /** D on cat(fake, real) in one pass, as the reference runs it. */
    private discriminate(inp: StepInputs, fake: tf.Tensor4D, inputGrad: boolean | number) {
        const { seg, real, ids } = inp;
        const x = { head: seg, tail: tf.concat<tf.Tensor4D>([fake, real], 0), headRepeats: 2 };
        let oneHot: DOneHotInput | undefined;
        const f = this.dOneHot(fake, inp);
        const r = this.dOneHot(real, inp);
        if (ids && f && r) {
            const both = new Int32Array(2 * ids.length);
            both.set(ids);
            both.set(ids, ids.length);
            oneHot = { ids: both, classes: f.classes, dense: tf.concat([f.dense, r.dense], 0) };
        }
        return dividePred(this.D.forward(x, inputGrad, oneHot));
    }

    /**
     * The G step's D pass. The real half only feeds feature matching, as a constant (the
     * reference detaches it), so when D normalises per sample (instance or none) its input
     * gradients are skipped: with two or more images the real half runs as its own pass with no
     * backward (skipping the power iteration, so spectral norm advances once, as in one pass);
     * at batch 1 one pass over both halves is faster (D's small maps fill XNNPACK better) and
     * its convs compute input gradients for the fake rows only.
     */
    private discriminateForG(inp: StepInputs, fake: tf.Tensor4D) {
        const { seg, real } = inp;
        // Only the image channels (after the labels) carry a gradient back to G.
        const from = seg.shape[3];
        const n = seg.shape[0];
        if (!this.perSampleD) return this.discriminate(inp, fake, from);
        if (n < 2) {
            this.D.store.gradRows = n;
            try {
                return this.discriminate(inp, fake, from);
            } finally {
                this.D.store.gradRows = undefined;
            }
        }
        const fakeOut = this.D.forward({ head: seg, tail: fake }, from, this.dOneHot(fake, inp));
        this.D.store.training = false;
        try {
            const x = { head: seg, tail: real };
            return { fake: fakeOut, real: this.D.forward(x, false, this.dOneHot(real, inp)) };
        } finally {
            this.D.store.training = true;
        }
    }

    /** Runs f with D's weight gradients off (they are not applied in the G step). */
    private withFrozenD<T>(f: () => T): T {
        this.D.store.requiresGrad = false;
        try {
            return f();
        } finally {
            this.D.store.requiresGrad = true;
        }
    }

    /** The generator (and encoder) update; returns G_GAN, G_GAN_Feat, G_VGG, KLD. */
    async generatorStep(batch: TrainBatch): Promise<StepLosses> {
        const inp = this.inputsOf(batch);
        const { real } = inp;
        const parts: Record<string, tf.Scalar> = {};
        const lo = this.opts.loss;
        const { value, grads } = this.withFrozenD(() =>
            tf.variableGrads(() => {
                const { fake, mu, logvar } = this.generate(inp);
                const terms: tf.Scalar[] = [];
                const add = (name: string, t: tf.Scalar) => {
                    parts[name] = tf.keep(t);
                    terms.push(t);
                };
                if (mu && logvar) add('KLD', tf.mul(kldLoss(mu, logvar), lo.lambdaKld));
                const pred = this.discriminateForG(inp, fake);
                add('G_GAN', ganLoss(pred.fake, lo.ganMode, true, false));
                if (lo.lambdaFeat > 0)
                    add('G_GAN_Feat', featureMatchingLoss(pred.fake, pred.real, lo.lambdaFeat));
                if (this.vgg) add('G_VGG', tf.mul(this.vgg.loss(fake, real), lo.lambdaVgg));
                return tf.addN<tf.Scalar>(terms);
            }, [...this.optG.vars.values()]),
        );
        this.optG.apply(grads);
        // The inputs stay for the D step on the same batch (released there or by the next batch).
        tf.dispose([value, ...Object.values(grads)]);
        return readLosses(parts);
    }

    /** The discriminator update; returns D_Fake and D_real. */
    async discriminatorStep(batch: TrainBatch): Promise<StepLosses> {
        const inp = this.inputsOf(batch);
        const fake = tf.tidy(() => this.generate(inp).fake);
        const parts: Record<string, tf.Scalar> = {};
        const mode = this.opts.loss.ganMode;
        const { value, grads } = tf.variableGrads(() => {
            const pred = this.discriminate(inp, fake, false);
            parts.D_Fake = tf.keep(ganLoss(pred.fake, mode, false, true));
            parts.D_real = tf.keep(ganLoss(pred.real, mode, true, true));
            return tf.add<tf.Scalar>(parts.D_Fake, parts.D_real);
        }, [...this.optD.vars.values()]);
        this.optD.apply(grads);
        tf.dispose([value, fake, ...Object.values(grads)]);
        this.releaseInputs();
        return readLosses(parts);
    }

    /** One reference iteration: a G step every `dStepsPerG` iterations, then a D step. */
    async trainStep(batch: TrainBatch): Promise<StepLosses> {
        let losses: StepLosses = {};
        if (this.step % Math.max(1, this.opts.optim.dStepsPerG) === 0)
            losses = await this.generatorStep(batch);
        Object.assign(losses, await this.discriminatorStep(batch));
        this.step++;
        return losses;
    }

    /**
     * The generator's image for NCHW semantics (eval mode: BatchNorm running stats, no power
     * iteration), NCHW float32. `z` [size, zDim] for the VAE; N(0, 1) when absent.
     */
    synthesize(b: Omit<TrainBatch, 'image'>, z?: Float32Array): Float32Array {
        for (const s of this.stores()) s.training = false;
        try {
            const out = tf.tidy(() => {
                const seg = tf.transpose<tf.Tensor4D>(
                    tf.tensor4d(b.semantics, [b.size, b.channels, b.height, b.width]),
                    [0, 2, 3, 1],
                );
                const zz = z ? tf.tensor2d(z, [b.size, this.opts.generator.zDim]) : undefined;
                return tf.transpose(this.G.forward(seg, zz), [0, 3, 1, 2]);
            });
            const data = out.dataSync() as Float32Array;
            out.dispose();
            return data;
        } finally {
            for (const s of this.stores()) s.training = true;
        }
    }

    /** Checkpoint contents. */
    state(): EngineState {
        const st: EngineState = {
            G: exportState(this.G.store),
            D: exportState(this.D.store),
            optimizer_G: this.optG.state(),
            optimizer_D: this.optD.state(),
            step: this.step,
        };
        if (this.E) st.E = exportState(this.E.store);
        return st;
    }

    /** Restores `state()`; `weightsOnly` (the reference's resume) keeps fresh optimisers. */
    loadState(st: EngineState, weightsOnly = false): void {
        loadState(this.G.store, st.G);
        loadState(this.D.store, st.D);
        if (this.E) {
            if (!st.E)
                throw new Error(
                    'the checkpoint has no encoder (E) but the options turn the style encoder on',
                );
            loadState(this.E.store, st.E);
        }
        if (weightsOnly) return;
        this.optG.loadState(st.optimizer_G);
        this.optD.loadState(st.optimizer_D);
        this.step = st.step;
    }

    /** All checkpoint tensors in one StateDict (`netG.`, `netD.`, `netE.`, `optimizer_G.` ...). */
    flatState(): StateDict {
        const st = this.state();
        const out: StateDict = new Map();
        addPrefixed(out, 'netG.', st.G);
        addPrefixed(out, 'netD.', st.D);
        if (st.E) addPrefixed(out, 'netE.', st.E);
        addPrefixed(out, 'optimizer_G.', st.optimizer_G);
        addPrefixed(out, 'optimizer_D.', st.optimizer_D);
        out.set('step', { shape: [], data: Float32Array.of(st.step) });
        return out;
    }

    /** Inverse of `flatState`. */
    loadFlatState(s: StateDict, weightsOnly = false): void {
        const e = subState(s, 'netE.');
        this.loadState(
            {
                G: subState(s, 'netG.'),
                D: subState(s, 'netD.'),
                E: e.size ? e : undefined,
                optimizer_G: subState(s, 'optimizer_G.'),
                optimizer_D: subState(s, 'optimizer_D.'),
                step: s.get('step')?.data[0] ?? 0,
            },
            weightsOnly,
        );
    }

    dispose(): void {
        this.releaseInputs();
        for (const s of this.stores()) s.dispose();
        this.optG.dispose();
        this.optD.dispose();
        this.vgg?.dispose();
    }
}

async function readLosses(parts: Record<string, tf.Scalar>): Promise<StepLosses> {
    const out: StepLosses = {};
    for (const [k, t] of Object.entries(parts)) {
        out[k] = (await t.data())[0];
        t.dispose();
    }
    return out;
}

/**
 * The wasm threads training asks for (SPADE_WASM_THREADS still overrides). One while
 * onnxruntime runs the matrix kernels (its threads take the cores; wasm's only slowed the step,
 * 1.81 s against 1.89-2.47 s at batch 4). Without them: the cores from batch size 2 on, one at
 * batch 1, where two bought only 6-8 % for 13-19 % more CPU (docs/engine.md, Benchmark).
 */
export function trainingWasmThreads(
    batchSize: number,
    env: NodeJS.ProcessEnv = process.env,
): number | undefined {
    if (ortKernelsWanted(env)) return 1;
    return batchSize >= 2 ? undefined : 1;
}

/** Selects the backend for `opts.device` (unless told not to) and builds the trainer. */
export async function createTrainer(
    opts: RunOptions,
    setup: TrainerSetup = {},
): Promise<SpadeTrainer> {
    const wasmThreads = trainingWasmThreads(opts.batchSize);
    const report = setup.keepBackend ? null : await initBackend(opts.device, { wasmThreads });
    return new SpadeTrainer(opts, report);
}
