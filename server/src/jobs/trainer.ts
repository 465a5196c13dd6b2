/**
 * What the worker drives. The worker owns the schedule (steps, epochs, learning rates,
 * checkpoints, samples, stop requests); a Trainer owns networks, optimisers and data.
 * The real one adapts the engine (engine-trainer.ts); tests use a small numeric one.
 */
import type { RunOptions } from '../engine/options';
import type { LearningRates, Losses, ResumeMode } from '../protocol/worker';

/** A tensor as stored in a checkpoint. */
export interface NamedTensor {
    shape: number[];
    data: Float32Array;
}

/**
 * A trainer's state in serialisable parts. `groups` are tensor sets saved one file each
 * (conventionally G, D, E, optimizer_G, optimizer_D, spectral_norm); `json` holds small
 * non-tensor state such as RNG counters and the data order.
 */
export interface TrainerState {
    groups: Record<string, Record<string, NamedTensor>>;
    json: Record<string, unknown>;
}

/** Where the step about to run sits in the schedule, and the learning rates it must use. */
export interface StepContext {
    /** Global step index (0 for the first step of a run). */
    step: number;
    /** 1-based epoch. */
    epoch: number;
    /** Step index inside the epoch. */
    epochStep: number;
    lrs: LearningRates;
}

export interface StepResult {
    losses: Losses;
}

/** One sample grid: rows of (label | synthesized | real), RGB, 8 bits, row-major. */
export interface SampleGrid {
    width: number;
    height: number;
    rgb: Uint8Array;
}

export interface Trainer {
    /** Backend in use, shown on the dashboard (e.g. 'tensorflow (CPU)', 'wasm'). */
    readonly backend: string;
    /** Optimiser steps per epoch: dataset size / batch size, the last partial batch dropped. */
    readonly stepsPerEpoch: number;
    /**
     * Train on the batch for `ctx` (the trainer draws it from its data order). Must be
     * deterministic given the state, so a resumed run repeats an uninterrupted one.
     */
    step(ctx: StepContext): Promise<StepResult>;
    /** A grid for the current weights on a fixed batch. */
    sample(): Promise<SampleGrid>;
    /** Everything needed to continue exactly. */
    state(): Promise<TrainerState>;
    /** `reference` mode loads weights (G, D, E) only, leaving optimisers and RNG fresh. */
    loadState(state: TrainerState, mode: ResumeMode): Promise<void>;
    dispose(): void;
}

/** Services a trainer may use. */
export interface TrainerEnv {
    log(level: 'debug' | 'info' | 'warn', message: string): void;
}

/** Creates an initialised trainer (networks built, data indexed) for resolved options. */
export type TrainerFactory = (opts: RunOptions, env: TrainerEnv) => Promise<Trainer>;

/** A module the worker can load a factory from (the engine adapter, or a test trainer). */
export interface TrainerModule {
    createTrainer: TrainerFactory;
}
