/**
 * Wires the mask preview's `spade/preview/*` requests to the preview service, which forwards
 * model requests to its synthesis worker process. User-facing failures become ResponseErrors
 * (RequestFailed) carrying the service's message; cancelled requests answer RequestCancelled.
 */
import {
    LSPErrorCodes,
    ResponseError,
    type CancellationToken,
    type Connection,
} from 'vscode-languageserver';
import { DataError } from '../data/issues';
import { PreviewCancelled, PreviewError } from '../features/preview-masks';
import { PreviewService } from '../features/preview-service';
import {
    ModelInfoRequest,
    ReadMaskRequest,
    SynthesizeRequest,
    WriteMaskRequest,
    type ModelInfoParams,
    type ReadMaskParams,
    type SynthesizeParams,
    type WriteMaskParams,
} from '../protocol/preview';
import type { ServerLog } from './log';

/** What the preview handler needs from the server. */
export interface PreviewHandlerDeps {
    connection: Connection;
    log: ServerLog;
    /**
     * The embedded default model's path; default: samples/default-model/generator.onnx, or
     * the SPADE_DEFAULT_MODEL environment variable (benchmarks and tests).
     */
    defaultModel?: string;
}

/** The error to answer with: cancellation, a message for the user, or (logged) a bug's text. */
function toResponse(e: unknown, method: string, log: ServerLog): ResponseError<void> {
    if (e instanceof PreviewCancelled) {
        return new ResponseError(LSPErrorCodes.RequestCancelled, e.message);
    }
    if (!(e instanceof PreviewError) && !(e instanceof DataError)) {
        log.error(`${method} failed unexpectedly: ${(e as Error)?.stack ?? String(e)}`);
    }
    const message = e instanceof Error ? e.message : String(e);
    return new ResponseError(LSPErrorCodes.RequestFailed, message);
}

export function registerPreview(deps: PreviewHandlerDeps): PreviewService {
    const { connection, log } = deps;
    const service = new PreviewService({
        defaultModel: deps.defaultModel ?? (process.env.SPADE_DEFAULT_MODEL || undefined),
        log: (level, message) => log[level](`preview: ${message}`),
    });
    // The connection keeps one shutdown handler (the jobs'); the worker also ends by itself
    // when its IPC channel closes, so a killed server leaves no worker behind.
    process.on('exit', () => service.dispose());
    const answer =
        <P, R>(method: string, f: (p: P, token: CancellationToken) => Promise<R>) =>
        async (p: P, token: CancellationToken): Promise<R | ResponseError<void>> => {
            try {
                return await f(p, token);
            } catch (e) {
                return toResponse(e, method, log);
            }
        };
    connection.onRequest(
        ReadMaskRequest.method,
        answer(ReadMaskRequest.method, (p: ReadMaskParams) => service.readMask(p)),
    );
    connection.onRequest(
        WriteMaskRequest.method,
        answer(WriteMaskRequest.method, (p: WriteMaskParams) => service.writeMask(p)),
    );
    connection.onRequest(
        ModelInfoRequest.method,
        answer(ModelInfoRequest.method, async (p: ModelInfoParams, token) => {
            const r = await service.modelInfo(p, token);
            log.debug(`preview model for ${p.maskUri}: ${r.model.name}`);
            return r;
        }),
    );
    connection.onRequest(
        SynthesizeRequest.method,
        answer(SynthesizeRequest.method, async (p: SynthesizeParams, token) => {
            const r = await service.synthesize(p, token);
            log.debug(
                `preview synthesis of ${p.maskUri}: ` +
                    `${r.images.length} image(s) in ${r.elapsedMs.toFixed(0)} ms`,
            );
            return r;
        }),
    );
    return service;
}
