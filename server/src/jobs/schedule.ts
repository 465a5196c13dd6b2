/**
 * The training schedule: epochs, steps and learning rates, as the reference trainer computes
 * them (constant for niter epochs, then linear decay to zero over niterDecay epochs, updated at
 * each epoch end; TTUR halves G's rate and doubles D's).
 */
import type { RunOptions } from '../engine/options';
import type { LearningRates, Position } from '../protocol/worker';

export function totalEpochs(opts: RunOptions): number {
    return opts.optim.niter + opts.optim.niterDecay;
}

export function totalSteps(opts: RunOptions, stepsPerEpoch: number): number {
    return totalEpochs(opts) * stepsPerEpoch;
}

/** Position of the step about to run (steps already done = `step`). */
export function positionAt(opts: RunOptions, stepsPerEpoch: number, step: number): Position {
    return {
        step,
        epoch: Math.floor(step / stepsPerEpoch) + 1,
        totalSteps: totalSteps(opts, stepsPerEpoch),
        totalEpochs: totalEpochs(opts),
    };
}

/**
 * Learning rates during `epoch` (1-based). The reference lowers the rate by lr/niterDecay at
 * the end of every epoch past niter. Its continue_train restarts that countdown from the full
 * rate at the resumed epoch, which `restartedAtEpoch` reproduces (reference resume mode).
 */
export function learningRates(
    opts: RunOptions,
    epoch: number,
    restartedAtEpoch = 1,
): LearningRates {
    const { lr, niter, niterDecay, ttur } = opts.optim;
    const lrd = niterDecay > 0 ? lr / niterDecay : 0;
    // Epoch ends e' in [restartedAtEpoch, epoch - 1] with e' > niter each take one lrd off.
    const first = Math.max(restartedAtEpoch, niter + 1);
    const decays = Math.max(0, epoch - first);
    const base = Math.max(0, lr - lrd * decays);
    return ttur ? { G: base / 2, D: base * 2 } : { G: base, D: base };
}
