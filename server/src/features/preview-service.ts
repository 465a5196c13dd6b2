/**
 * The server side of the mask preview's four requests (`spade/preview/readMask`, `writeMask`,
 * `modelInfo`, `synthesize`), without the connection: the preview handler wires them.
 * Masks are read and written here (cheap, and the server owns the PNG formats); model loading
 * and synthesis go to the synthesis worker process, so a long in-memory export or a native
 * crash in onnxruntime never stalls or ends the language server.
 */
import * as path from 'node:path';
import type {
    ModelInfoParams,
    ModelInfoResult,
    ReadMaskParams,
    ReadMaskResult,
    SynthesizeParams,
    SynthesizeResult,
    WriteMaskParams,
    WriteMaskResult,
} from '../protocol/preview';
import type { SynthesisWorkerSettings } from '../protocol/synthesis-worker';
import { decodeEncodedIds, pathOfUri, readMaskFile, writeMaskFile } from './preview-masks';
import { SynthesisWorker } from './synthesis-worker';
import type { Cancellation, WorkerLog } from './synthesis-worker';

/** Settings of the preview service. */
export interface PreviewServiceOptions extends SynthesisWorkerSettings {
    /** Where the synthesis worker's log lines go. */
    log?: WorkerLog;
    /** The worker entry (tests); default: dist/synthesis-worker.js beside the server bundle. */
    workerPath?: string;
    execArgv?: string[];
}

/** The four preview requests: masks on files here, models in the synthesis worker. */
export class PreviewService {
    private readonly worker: SynthesisWorker;

    constructor(options: PreviewServiceOptions = {}) {
        const { log, workerPath, execArgv, ...settings } = options;
        this.worker = new SynthesisWorker({
            settings,
            log: log ?? (() => {}),
            ...(workerPath ? { workerPath } : {}),
            ...(execArgv ? { execArgv } : {}),
        });
    }

    /** The synthesis worker's process id, while one runs (tests, logs). */
    get workerPid(): number | undefined {
        return this.worker.pid;
    }

    async readMask(p: ReadMaskParams): Promise<ReadMaskResult> {
        return readMaskFile(pathOfUri(p.uri, 'mask'));
    }

    async writeMask(p: WriteMaskParams): Promise<WriteMaskResult> {
        const file = pathOfUri(p.uri, 'mask');
        const ids = decodeEncodedIds(p.ids, file);
        const bytesWritten = await writeMaskFile(file, ids, p.ids.width, p.ids.height, p.format);
        return { bytesWritten };
    }

    async modelInfo(p: ModelInfoParams, token?: Cancellation): Promise<ModelInfoResult> {
        const what = `loading the model for ${path.basename(pathOfUri(p.maskUri, 'mask'))}`;
        return this.worker.request('modelInfo', p, what, token);
    }

    /**
     * Synthesizes in the worker (see PreviewSynthesis.synthesize). A cancelled `token` rejects
     * with PreviewCancelled at once; the worker drops the request if it has not started it.
     */
    async synthesize(p: SynthesizeParams, token?: Cancellation): Promise<SynthesizeResult> {
        const what = `synthesizing ${path.basename(pathOfUri(p.maskUri, 'mask'))}`;
        return this.worker.request('synthesize', p, what, token);
    }

    /** Kills the worker; synchronous, so it can run in the process's exit handler. */
    dispose(): void {
        this.worker.dispose();
    }
}
