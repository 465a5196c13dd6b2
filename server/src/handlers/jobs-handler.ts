/**
 * Wires the training job service to the LSP connection: the editor's train/stop/list
 * requests, and job events sent back as notifications.
 */
import {
    ErrorCodes,
    ResponseError,
    type Connection,
    type TextDocuments,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { JobRequestError, JobService } from '../jobs/service';
import {
    JobMethods,
    type StartJobParams,
    type StopJobParams,
    type TrainBlocksParams,
} from '../protocol/worker';
import type { ServerLog } from './log';

/** What the jobs handler needs from the server. */
export interface JobsHandlerDeps {
    connection: Connection;
    documents: TextDocuments<TextDocument>;
    log: ServerLog;
    /** Where running jobs are recorded, so a reloaded window finds them again. */
    indexFile?: string;
}

export function registerJobs(deps: JobsHandlerDeps): JobService {
    const { connection, documents, log } = deps;
    const service = new JobService({
        documentText: (uri) => documents.get(uri)?.getText(),
        onEvent: (p) => void connection.sendNotification(JobMethods.event, p),
        runnerOptions: deps.indexFile ? { indexFile: deps.indexFile } : {},
    });
    // A request the user can fix (no such block, already running) is an InvalidRequest with
    // the service's message; anything else is a server bug and stays an internal error.
    const answer =
        <P, R>(f: (p: P) => R) =>
        (p: P): R => {
            try {
                return f(p);
            } catch (e) {
                if (e instanceof JobRequestError)
                    throw new ResponseError(ErrorCodes.InvalidRequest, e.message);
                throw e;
            }
        };
    connection.onRequest(
        JobMethods.trainBlocks,
        answer((p: TrainBlocksParams) => service.trainBlocks(p)),
    );
    connection.onRequest(
        JobMethods.start,
        answer((p: StartJobParams) => service.start(p)),
    );
    connection.onRequest(
        JobMethods.stop,
        answer((p: StopJobParams) => service.stop(p)),
    );
    connection.onRequest(JobMethods.list, () => service.list());
    for (const j of service.reattach())
        log.info(`Following training ${j.name} (pid ${j.pid}) started before this server.`);
    connection.onShutdown(() => service.dispose());
    return service;
}
