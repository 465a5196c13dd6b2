/**
 * The editor-facing side of the job runner, for the language server: answers the
 * `spade/jobs/*` requests (protocol/worker.ts JobMethods) and fans job events out to one
 * listener. It never touches the LSP connection; a handler in handlers/ forwards to it.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
    JobEventParams,
    JobInfo,
    ListJobsResult,
    StartJobParams,
    StartJobResult,
    StopJobParams,
    TrainBlocksParams,
    TrainBlocksResult,
} from '../protocol/worker';
import { listTrainBlocks, readConfig, resolveRun } from './config-source';
import type { Job } from './job';
import { JobRunner, JobStartError, type RunnerOptions } from './runner';

/** A refused request; `message` is shown to the user as is. */
export class JobRequestError extends Error {}

export interface JobServiceDeps {
    /** The open document's text (unsaved edits count), or undefined to read the file. */
    documentText(uri: string): string | undefined;
    /** Receives every event of every job. */
    onEvent(params: JobEventParams): void;
    runner?: JobRunner;
    runnerOptions?: RunnerOptions;
}

export class JobService {
    readonly runner: JobRunner;

    constructor(private readonly deps: JobServiceDeps) {
        this.runner = deps.runner ?? new JobRunner(deps.runnerOptions);
    }

    trainBlocks(p: TrainBlocksParams): TrainBlocksResult {
        const file = toPath(p.uri);
        return { blocks: listTrainBlocks(file, this.text(p.uri, file)) };
    }

    start(p: StartJobParams): StartJobResult {
        const file = toPath(p.uri);
        const r = resolveRun(file, this.text(p.uri, file), p.block, p.runName);
        if (!r.ok) throw new JobRequestError(r.message);
        let job: Job;
        try {
            job = this.runner.start({
                runDir: r.run.options.outDir,
                options: r.run.options,
                mode: p.mode,
                configText: r.run.configText,
                configFile: r.run.configFile,
            });
        } catch (e) {
            if (e instanceof JobStartError) throw new JobRequestError(e.message);
            throw e;
        }
        this.follow(job);
        return { job: job.info() };
    }

    stop(p: StopJobParams): void {
        const job = this.runner.get(p.jobId);
        if (!job)
            throw new JobRequestError(
                `No job ${p.jobId} is running; it may have finished already.`,
            );
        job.stop();
    }

    list(): ListJobsResult {
        return { jobs: this.runner.list().map((j) => j.info()) };
    }

    /** Follow jobs that were running before the server restarted; returns them. */
    reattach(): JobInfo[] {
        const found = this.runner.reattach();
        for (const j of found) this.follow(j);
        return found.map((j) => j.info());
    }

    /** Stop following (server shutdown); workers keep running and are reattached later. */
    dispose(): void {
        this.runner.dispose();
    }

    private follow(job: Job): void {
        job.onEvent((event) => this.deps.onEvent({ jobId: job.id, event }));
    }

    private text(uri: string, file: string): string {
        const open = this.deps.documentText(uri);
        if (open !== undefined) return open;
        const r = readConfig(file);
        if (!r.ok) throw new JobRequestError(r.message);
        return r.text;
    }
}

function toPath(uri: string): string {
    if (!uri.startsWith('file:')) {
        throw new JobRequestError(
            `${uri} is not a file on this machine; save it to disk to train from it.`,
        );
    }
    return path.normalize(fileURLToPath(uri));
}
