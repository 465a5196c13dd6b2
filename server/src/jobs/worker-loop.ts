/**
 * One training job, start to end, independent of how its events travel (IPC in the worker
 * process, direct calls in tests): resume checks, the step loop, metrics, samples,
 * checkpoints, stop requests and failures.
 */
import * as fs from 'node:fs';
import type { RunOptions } from '../engine/options';
import type {
    DoneEvent,
    JobErrorCode,
    JobState,
    Position,
    ResumeMode,
    StartJob,
    WorkerEvent,
} from '../protocol/worker';
import { removeStaleTemps, writeFileAtomic } from '../util/atomic';
import { CheckpointStore, type SaveHooks } from './checkpoints';
import { isOutOfMemory, outOfMemoryMessage } from './oom';
import { diffOptions, shapeChangeMessage } from './options-diff';
import { encodePng } from './png';
import { checkpointRefusal } from './preflight';
import { RateMeter } from './progress';
import { RunFolder } from './run-folder';
import { learningRates, positionAt } from './schedule';
import type { Trainer, TrainerFactory, TrainerState } from './trainer';

/** Polled between steps; set by a stop message or a signal. */
export interface StopSignal {
    requested: boolean;
}

/** Ends the job with a user-facing message (carried up to one place that reports it). */
class JobFailure extends Error {
    constructor(
        readonly code: JobErrorCode,
        message: string,
        readonly step?: number,
    ) {
        super(message);
    }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Lets IPC messages (stop) in between synchronous steps. */
const yieldToEvents = () => new Promise<void>((r) => setImmediate(r));

export async function runJob(
    start: StartJob,
    createTrainer: TrainerFactory,
    emit: (e: WorkerEvent) => void,
    stop: StopSignal,
): Promise<DoneEvent> {
    const opts = start.options;
    const folder = new RunFolder(start.runDir);
    const store = new CheckpointStore(start.runDir, opts.keepCheckpoints);
    let pos: Position = { step: 0, epoch: 1, totalSteps: 0, totalEpochs: 0 };
    let backend: string | undefined;
    let trainer: Trainer | undefined;
    let displaySpe = 1;
    /** The epoch of the last completed step (what "stopped at step N, epoch E" means). */
    const lastEpoch = (p: Position) => (p.step > 0 ? Math.floor((p.step - 1) / displaySpe) + 1 : 1);
    const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => {
        folder.appendLog(level, message);
        emit({ type: 'log', level, message });
    };
    const status = (state: JobState, extra: object = {}) =>
        folder.writeStatus({
            jobId: start.jobId,
            pid: process.pid,
            state,
            backend,
            ...pos,
            // The epoch of the last completed step, as progress, checkpoint and done events say.
            epoch: lastEpoch(pos),
            ...extra,
            updatedAt: Date.now(),
        });
    const done = (reason: DoneEvent['reason']): DoneEvent => {
        const last = store.latest();
        const ev: DoneEvent = { type: 'done', reason, step: pos.step, epoch: lastEpoch(pos) };
        if (last) ev.lastCheckpoint = last.dir;
        return ev;
    };

    try {
        folder.prepare();
        fs.rmSync(folder.stopFile, { force: true }); // left by an earlier job
        for (const name of store.prepare()) log('info', `Removed an unfinished save: ${name}`);
        // Temporaries of small files a killed worker was replacing (status.json, samples).
        removeStaleTemps(folder.dir);
        removeStaleTemps(folder.samplesDir);
        status('starting');
        const resume = prepareResume(start, store);
        trainer = await guard(() => createTrainer(opts, { log }), opts, 0, 'engine-unavailable');
        backend = trainer.backend;
        const spe = trainer.stepsPerEpoch;
        displaySpe = Math.max(1, spe);
        if (!(spe > 0)) {
            throw new JobFailure(
                'io',
                `The dataset in ${opts.dataset.labelDir ?? opts.dataset.root} ` +
                    `gives no full batch of ${opts.batchSize}; ` +
                    `add images or lower the batch size.`,
            );
        }
        let startStep = 0;
        let restartedAt = 1;
        const mode: ResumeMode = opts.referenceResume ? 'reference' : 'exact';
        if (resume) {
            const t = trainer;
            await guard(() => t.loadState(resume.state, mode), opts, resume.step, 'config-changed');
            startStep = resume.step;
            const note = changedOptionsNote(resume.options, opts);
            if (note) log('warn', note);
            if (mode === 'reference') restartedAt = positionAt(opts, spe, startStep).epoch;
        }
        pos = positionAt(opts, spe, startStep);
        if (start.configText !== undefined) folder.writeConfig(start.configText, startStep);
        folder.writeOptions(opts);
        folder.truncateMetricsAfter(startStep);
        const endStep = Math.min(pos.totalSteps, start.maxSteps ?? Infinity);
        emit({
            type: 'started',
            jobId: start.jobId,
            pid: process.pid,
            backend,
            stepsPerEpoch: spe,
            ...pos,
            ...(resume ? { resumedFrom: { step: resume.step, mode } } : {}),
        });
        log('info', `Training ${opts.name} on ${backend}: step ${startStep} of ${pos.totalSteps}.`);
        status('running');

        const meter = new RateMeter();
        meter.mark(startStep, Date.now());
        let lastSaved = resume ? startStep : -1;
        let lastReport = 0;
        const save = async () => {
            const t = trainer!;
            const dir = await saveCheckpoint(start, store, t, pos, log);
            lastSaved = pos.step;
            emit({ type: 'checkpoint', step: pos.step, epoch: lastEpoch(pos), dir });
        };

        while (pos.step < endStep && !stop.requested) {
            const ctx = {
                step: pos.step,
                epoch: pos.epoch,
                epochStep: pos.step % spe,
                lrs: learningRates(opts, pos.epoch, restartedAt),
            };
            const t = trainer;
            const { losses } = await guard(() => t.step(ctx), opts, pos.step, 'internal');
            const bad = Object.entries(losses).find(([, v]) => !Number.isFinite(v));
            if (bad) {
                const last = store.latest();
                const saved = last
                    ? `The last good checkpoint is ${last.dir}`
                    : 'No checkpoint was saved yet';
                throw new JobFailure(
                    'non-finite-loss',
                    `Loss ${bad[0]} became ${bad[1]} at step ${pos.step + 1} (epoch ${pos.epoch}); ` +
                        `training stopped. ${saved}; ` +
                        `lower the learning rate (lr = ${opts.optim.lr / 2}) and resume.`,
                    pos.step + 1,
                );
            }
            pos = positionAt(opts, spe, pos.step + 1);
            const now = Date.now();
            meter.mark(pos.step, now);
            const rec = { step: pos.step, epoch: ctx.epoch, time: now, losses, lrs: ctx.lrs };
            folder.appendMetrics(rec);
            emit({ type: 'metrics', ...rec });
            if (now - lastReport > 250 || pos.step === endStep) {
                lastReport = now;
                const rate = meter.stepsPerSecond();
                const progress = {
                    ...pos,
                    // pos is the step about to run: at an epoch's last step it is the next epoch.
                    epoch: lastEpoch(pos),
                    percent: (100 * pos.step) / pos.totalSteps,
                    stepsPerSecond: rate,
                    etaSeconds: rate > 0 ? (endStep - pos.step) / rate : undefined,
                    losses,
                };
                emit({ type: 'progress', ...progress });
                status('running', {
                    stepsPerSecond: rate,
                    etaSeconds: progress.etaSeconds,
                    losses,
                });
            }
            if (opts.sampleEverySteps > 0 && pos.step % opts.sampleEverySteps === 0) {
                await writeSample(folder, t, pos.step, emit, log);
            }
            if (opts.saveEverySteps > 0 && pos.step % opts.saveEverySteps === 0) await save();
            await yieldToEvents();
            if (fs.existsSync(folder.stopFile)) stop.requested = true;
        }
        if (stop.requested) status('stopping');
        fs.rmSync(folder.stopFile, { force: true });
        if (lastSaved !== pos.step && pos.step > 0) await save();
        const reason = pos.step >= pos.totalSteps ? 'finished' : 'stopped';
        status(reason);
        log('info', `Training ${reason} at step ${pos.step}.`);
        return done(reason);
    } catch (e) {
        const f =
            e instanceof JobFailure
                ? e
                : new JobFailure('internal', `Training failed at step ${pos.step}: ${String(e)}`);
        emit({ type: 'error', code: f.code, message: f.message, step: f.step ?? pos.step });
        folder.appendLog('error', f.message);
        status('failed', { error: { code: f.code, message: f.message } });
        return done('failed');
    } finally {
        trainer?.dispose();
    }
}

/** Checks the run folder against the start mode; returns the checkpoint to resume from. */
function prepareResume(
    start: StartJob,
    store: CheckpointStore,
): { step: number; state: TrainerState; options: RunOptions } | undefined {
    // The runner checked this before forking; a start that raced it is refused here.
    const refusal = checkpointRefusal(start.runDir, start.mode);
    if (refusal) throw new JobFailure(refusal.code, refusal.message);
    const latest = store.latest();
    if (start.mode === 'fresh' || !latest) return undefined;
    let loaded;
    try {
        loaded = store.load(latest.dir);
    } catch (e) {
        throw new JobFailure(
            'io',
            `${(e as Error).message} Delete ${latest.dir} to resume from the one before.`,
        );
    }
    const msg = shapeChangeMessage(latest.dir, loaded.meta.options, start.options);
    if (msg) throw new JobFailure('config-changed', msg);
    return { step: loaded.meta.step, state: loaded.state, options: loaded.meta.options };
}

/** Runs an engine call, turning its failures into user-facing ones. */
async function guard<T>(
    f: () => Promise<T>,
    opts: RunOptions,
    step: number,
    code: JobErrorCode,
): Promise<T> {
    try {
        return await f();
    } catch (e) {
        if (e instanceof JobFailure) throw e;
        if (isOutOfMemory(e)) throw new JobFailure('out-of-memory', outOfMemoryMessage(opts, step));
        // The data pipeline's messages already name the file, the problem and the fix.
        if ((e as Error).name === 'DataError')
            throw new JobFailure('io', (e as Error).message, step);
        throw new JobFailure(code, `Training failed at step ${step}: ${(e as Error).message ?? e}`);
    }
}

async function saveCheckpoint(
    start: StartJob,
    store: CheckpointStore,
    trainer: Trainer,
    pos: Position,
    log: (level: 'debug', message: string) => void,
): Promise<string> {
    const h = start.testHooks;
    const hooks: SaveHooks = {};
    if (h?.slowSaveMs && pos.step >= (h.slowSaveFromStep ?? 0)) {
        hooks.betweenFiles = async () => {
            log('debug', `test hook: pausing checkpoint save at step ${pos.step}`);
            await sleep(h.slowSaveMs!);
        };
    }
    const state = await trainer.state();
    try {
        return await store.save(
            {
                step: pos.step,
                epoch: pos.epoch,
                seed: start.options.seed,
                trainer: {},
                options: start.options,
            },
            state,
            hooks,
        );
    } catch (e) {
        const prev = store.latest();
        throw new JobFailure(
            'io',
            `Could not save the checkpoint at step ${pos.step} in ${store.dir}: ${(e as Error).message}. ` +
                `${prev ? `${prev.dir} is intact; ` : ''}free disk space and resume.`,
            pos.step,
        );
    }
}

async function writeSample(
    folder: RunFolder,
    trainer: Trainer,
    step: number,
    emit: (e: WorkerEvent) => void,
    log: (level: 'warn', message: string) => void,
): Promise<void> {
    try {
        const grid = await trainer.sample();
        const file = folder.sampleFile(step);
        writeFileAtomic(file, encodePng(grid.width, grid.height, grid.rgb));
        emit({ type: 'sample', step, file });
    } catch (e) {
        log('warn', `Could not write the sample grid at step ${step}: ${(e as Error).message}`);
    }
}

/** Which non-shape options changed since the checkpoint (logged on resume). */
export function changedOptionsNote(before: RunOptions, after: RunOptions): string | undefined {
    const soft = diffOptions(before, after).filter((c) => !c.shapes);
    if (soft.length === 0) return undefined;
    const changes = soft.map(
        (c) => `${c.label} ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`,
    );
    return `Resuming with changed options: ${changes.join(', ')}.`;
}
