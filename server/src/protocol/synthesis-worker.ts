/**
 * The IPC messages between the language server and its synthesis worker (a child process,
 * dist/synthesis-worker.js), declared once for both sides.
 *
 * The worker loads models (exporting a run folder's checkpoint in memory, which blocks) and
 * runs onnxruntime, so neither can stall the language server or take it down. The server
 * forwards `spade/preview/modelInfo` and `spade/preview/synthesize` with their LSP params
 * unchanged; the worker answers each request once, with a result or a failure.
 *
 * No Node or LSP imports, like the other protocol modules.
 */
import type {
    ModelInfoParams,
    ModelInfoResult,
    SynthesizeParams,
    SynthesizeResult,
} from './preview';

/** The requests the worker serves: method -> [params, result]. */
export interface SynthesisMethods {
    modelInfo: [ModelInfoParams, ModelInfoResult];
    synthesize: [SynthesizeParams, SynthesizeResult];
}
export type SynthesisMethod = keyof SynthesisMethods;

/** Settings the worker gets once, before any request. */
export interface SynthesisWorkerSettings {
    /** The embedded default model's path; absent: samples/default-model/generator.onnx. */
    defaultModel?: string;
    /** Models kept loaded at once; absent: 3. */
    keep?: number;
    /** onnxruntime intra-op threads; absent: half the cores. */
    threads?: number;
}

/** Server -> worker: the settings; sent first, once. */
export interface ConfigureMessage {
    type: 'configure';
    settings: SynthesisWorkerSettings;
}

/** Server -> worker: one request; `id` is unique per worker and names its answer. */
export type RequestMessage = {
    [M in SynthesisMethod]: {
        type: 'request';
        id: number;
        method: M;
        params: SynthesisMethods[M][0];
    };
}[SynthesisMethod];

/**
 * Server -> worker: the caller gave up on request `id`. A queued request is dropped; a running
 * one finishes (onnxruntime cannot be interrupted) and its answer is discarded.
 */
export interface CancelMessage {
    type: 'cancel';
    id: number;
}

/** Every message the server sends to the worker. */
export type ToSynthesisWorker = ConfigureMessage | RequestMessage | CancelMessage;

/** Worker -> server: the result of request `id`. */
export interface ResultMessage {
    type: 'result';
    id: number;
    result: SynthesisMethods[SynthesisMethod][1];
}

/**
 * Worker -> server: request `id` failed. `user`: a message for the user (bad mask, missing
 * model...); `cancelled`: dropped after a cancel; `bug`: unexpected, with the worker's stack
 * for the log.
 */
export interface FailureMessage {
    type: 'failure';
    id: number;
    kind: 'user' | 'cancelled' | 'bug';
    message: string;
    stack?: string;
}

/** Worker -> server: a line for the server's log (the worker has no console of its own). */
export interface WorkerLogMessage {
    type: 'log';
    level: 'error' | 'warn' | 'info' | 'debug';
    message: string;
}

/** Every message the worker sends to the server. */
export type FromSynthesisWorker = ResultMessage | FailureMessage | WorkerLogMessage;

/**
 * Test hook (environment variable of the worker): while the file it names exists, a synthesis
 * holds the worker's thread before it starts, the way a long in-memory export does. Tests use
 * it to prove the server answers meanwhile and to kill the worker mid-request.
 */
export const SYNTH_HOLD_ENV = 'SPADE_TEST_SYNTH_HOLD';
