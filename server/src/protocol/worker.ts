/**
 * Every message of a training job, declared once: job runner <-> worker process (IPC),
 * editor <-> language server (custom LSP requests and one notification), and extension host
 * <-> training dashboard webview (postMessage). Plain data only; no Node or vscode imports.
 */
import type { RunOptions } from '../engine/options';

/** How a job starts: from scratch, or from the run folder's latest checkpoint. */
export type StartMode = 'fresh' | 'resume';

/**
 * How a checkpoint is loaded. `exact` restores everything (weights, optimiser states,
 * spectral-norm vectors, RNG and data position) so the run continues bit for bit;
 * `reference` restores weights and epoch only, as the reference trainer's continue_train does.
 */
export type ResumeMode = 'exact' | 'reference';

/** Named loss values of one step (G_GAN, D_real, D_fake, GAN_Feat, VGG, KLD, ...). */
export type Losses = Record<string, number>;
/** Learning rates in use, by optimiser name (G, D). */
export type LearningRates = Record<string, number>;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Why a job ended. */
export type DoneReason = 'finished' | 'stopped' | 'failed';

/** What kind of failure ended a job; lets the editor offer the right next action. */
export type JobErrorCode =
    | 'non-finite-loss'
    | 'out-of-memory'
    | 'config-changed'
    | 'no-checkpoint'
    | 'run-exists'
    | 'run-busy'
    | 'engine-unavailable'
    | 'io'
    | 'internal';

/** Tests only: slow a checkpoint save down so a test can kill the worker in the middle. */
export interface WorkerTestHooks {
    /** Pause this long between tensor files of a save. */
    slowSaveMs?: number;
    /** ...but only for saves at or after this step. */
    slowSaveFromStep?: number;
}

/** Everything a worker needs to run one job. */
export interface StartJob {
    type: 'start';
    jobId: string;
    /** Absolute run folder (checkpoints, samples, metrics, status). */
    runDir: string;
    options: RunOptions;
    mode: StartMode;
    /** The config text as run and where it came from; copied into the run folder. */
    configText?: string;
    configFile?: string;
    /** Stop after this global step even if the schedule runs longer (tests, smoke runs). */
    maxSteps?: number;
    testHooks?: WorkerTestHooks;
}

/** Ask the worker to finish the current step, save a checkpoint and exit. */
export interface StopJob {
    type: 'stop';
}

/** Runner -> worker. */
export type ToWorker = StartJob | StopJob;

/** Where a run is in its schedule. Steps count completed optimiser steps from 0. */
export interface Position {
    step: number;
    /** 1-based epoch the next step belongs to. */
    epoch: number;
    totalSteps: number;
    totalEpochs: number;
}

export interface StartedEvent extends Position {
    type: 'started';
    jobId: string;
    pid: number;
    backend: string;
    stepsPerEpoch: number;
    /** Set when the job continued from a checkpoint. */
    resumedFrom?: { step: number; mode: ResumeMode };
}

export interface ProgressEvent extends Position {
    type: 'progress';
    percent: number;
    stepsPerSecond: number;
    /** Undefined until the rate is known. */
    etaSeconds?: number;
    losses: Losses;
}

/** One line of metrics.jsonl. */
export interface MetricsRecord {
    step: number;
    epoch: number;
    /** Unix milliseconds. */
    time: number;
    losses: Losses;
    lrs: LearningRates;
}

export interface MetricsEvent extends MetricsRecord {
    type: 'metrics';
}

export interface SampleEvent {
    type: 'sample';
    step: number;
    /** Absolute path of the PNG grid (rows: label | synthesized | real). */
    file: string;
}

export interface LogEvent {
    type: 'log';
    level: LogLevel;
    message: string;
}

export interface CheckpointEvent {
    type: 'checkpoint';
    step: number;
    /** Epoch of the last step the checkpoint includes. */
    epoch: number;
    /** Absolute checkpoint folder. */
    dir: string;
}

export interface ErrorEvent {
    type: 'error';
    code: JobErrorCode;
    /** Says what is wrong and what to do; shown to the user as is. */
    message: string;
    step?: number;
}

export interface DoneEvent {
    type: 'done';
    reason: DoneReason;
    /** Steps completed. */
    step: number;
    /** Epoch of the last completed step. */
    epoch: number;
    /** The checkpoint a later Resume starts from, if any. */
    lastCheckpoint?: string;
    /** The user killed the worker (a second Ctrl-C): stopped, but without a final checkpoint. */
    killed?: boolean;
}

/** Worker -> runner. */
export type WorkerEvent =
    | StartedEvent
    | ProgressEvent
    | MetricsEvent
    | SampleEvent
    | LogEvent
    | CheckpointEvent
    | ErrorEvent
    | DoneEvent;

/** A job's life as recorded in its run folder's status.json. */
export type JobState = 'starting' | 'running' | 'stopping' | DoneReason;

/** status.json in the run folder: written by the worker, read to reattach after a reload. */
export interface JobStatus extends Position {
    jobId: string;
    pid: number;
    state: JobState;
    backend?: string;
    stepsPerSecond?: number;
    etaSeconds?: number;
    losses?: Losses;
    error?: { code: JobErrorCode; message: string };
    /** Unix milliseconds of the last write. */
    updatedAt: number;
}

/** What the editor shows for one job. */
export interface JobInfo {
    jobId: string;
    runDir: string;
    name: string;
    pid: number;
    state: JobState;
    /** True when the job was found again after a reload (no IPC; followed through files). */
    reattached: boolean;
    status?: JobStatus;
}

// ---- editor <-> language server -------------------------------------------------------------

/** A train block the editor can offer in a pick list or a code lens. */
export interface TrainBlockInfo {
    name: string;
    /** 0-based line of the block header. */
    line: number;
    /** Absolute run folder the block trains into. */
    runDir: string;
    /** Latest checkpoint step in that folder, if any (offers Resume). */
    checkpointStep?: number;
}

export interface TrainBlocksParams {
    uri: string;
}
export interface TrainBlocksResult {
    blocks: TrainBlockInfo[];
}

export interface StartJobParams {
    uri: string;
    block: string;
    mode: StartMode;
    /** Overrides the block's run name (the run folder becomes a sibling with this name). */
    runName?: string;
}
export interface StartJobResult {
    job: JobInfo;
}

export interface StopJobParams {
    jobId: string;
}

export interface ListJobsResult {
    jobs: JobInfo[];
}

/** Server -> editor notification: one worker event of one job. */
export interface JobEventParams {
    jobId: string;
    event: WorkerEvent;
}

/** LSP method names of the job requests and the event notification. */
export const JobMethods = {
    trainBlocks: 'spade/jobs/trainBlocks',
    start: 'spade/jobs/start',
    stop: 'spade/jobs/stop',
    list: 'spade/jobs/list',
    event: 'spade/jobs/event',
} as const;

// ---- extension host <-> dashboard webview ---------------------------------------------------

/** Everything the dashboard draws, sent whole when it (re)opens. */
export interface DashboardSnapshot {
    job: JobInfo;
    backend?: string;
    /** Metrics so far, thinned to a few thousand points. */
    metrics: MetricsRecord[];
    /** Webview URI of the latest sample grid. */
    sampleUri?: string;
    sampleStep?: number;
    progress?: ProgressEvent;
}

export type ToDashboard =
    | { type: 'snapshot'; snapshot: DashboardSnapshot }
    | { type: 'metrics'; record: MetricsRecord }
    | { type: 'progress'; progress: ProgressEvent }
    | { type: 'sample'; step: number; uri: string }
    | { type: 'state'; state: JobState; message?: string };

export type FromDashboard = { type: 'ready' } | { type: 'stop' };
