/**
 * The job runner: starts one worker process per job, keeps the registry (job.json and
 * status.json in each run folder, plus an index of run folders) and finds running jobs again
 * after the editor reloads.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunOptions } from '../engine/options';
import type { StartJob, StartMode, ToWorker, WorkerTestHooks } from '../protocol/worker';
import { isProcessAlive, writeJsonAtomic } from '../util/atomic';
import { Job } from './job';
import { checkpointRefusal } from './preflight';
import { RunFolder, readJson } from './run-folder';

/** What to train and where. */
export interface JobSpec {
    runDir: string;
    options: RunOptions;
    mode: StartMode;
    configText?: string;
    configFile?: string;
    maxSteps?: number;
    testHooks?: WorkerTestHooks;
}

export interface RunnerOptions {
    /** Worker entry; defaults to dist/worker.js beside this bundle, or worker-main.ts via tsx. */
    workerPath?: string;
    execArgv?: string[];
    /** Extra environment for workers (tests set SPADE_TRAINER_MODULE). */
    env?: NodeJS.ProcessEnv;
    /** Index of run folders this runner started, so a new runner can reattach to them. */
    indexFile?: string;
    /**
     * Whether workers outlive the runner (true: the editor reloading must not end training;
     * the CLI passes false so closing the terminal ends its job).
     */
    detached?: boolean;
    /** Poll interval for reattached jobs. */
    pollMs?: number;
}

/** Refusal to start, with a user-facing message. */
export class JobStartError extends Error {
    constructor(
        readonly code: 'run-busy' | 'run-exists' | 'no-checkpoint' | 'io',
        message: string,
    ) {
        super(message);
    }
}

const ACTIVE = new Set(['starting', 'running', 'stopping']);

/** The worker entry that exists in this installation. */
export function defaultWorker(): { path: string; execArgv: string[] } {
    const bundled = path.join(__dirname, 'worker.js');
    if (fs.existsSync(bundled)) return { path: bundled, execArgv: [] };
    const source = path.join(__dirname, 'worker-main.ts');
    if (fs.existsSync(source)) return { path: source, execArgv: ['--import', 'tsx'] };
    throw new Error(`No worker found beside ${__dirname}; run "npm run build" first.`);
}

export class JobRunner {
    private readonly jobs = new Map<string, Job>();

    constructor(private readonly opts: RunnerOptions = {}) {}

    start(spec: JobSpec): Job {
        const runDir = path.resolve(spec.runDir);
        const busy = this.activeIn(runDir);
        if (busy) {
            throw new JobStartError(
                'run-busy',
                `The run folder ${runDir} is in use by job ${busy.jobId} (pid ${busy.pid}); ` +
                    'stop it first or choose another run name.',
            );
        }
        // Refuse before creating anything, so a refused start leaves no folder behind.
        const refusal = checkpointRefusal(runDir, spec.mode);
        if (refusal) throw new JobStartError(refusal.code, refusal.message);
        try {
            fs.mkdirSync(runDir, { recursive: true });
        } catch (e) {
            throw new JobStartError(
                'io',
                `Cannot create the run folder ${runDir}: ${(e as Error).message}.`,
            );
        }
        const folder = new RunFolder(runDir);
        const worker = this.opts.workerPath
            ? { path: this.opts.workerPath, execArgv: this.opts.execArgv ?? [] }
            : defaultWorker();
        // Output goes to a file, not a pipe: a pipe to a dead parent would crash the worker.
        const out = fs.openSync(path.join(runDir, 'worker.out'), 'a');
        const child = fork(worker.path, [], {
            execArgv: this.opts.execArgv ?? worker.execArgv,
            env: { ...process.env, ...this.opts.env },
            stdio: ['ignore', out, out, 'ipc'],
            detached: this.opts.detached ?? true,
        });
        fs.closeSync(out);
        if (this.opts.detached ?? true) child.unref();
        const id = `${spec.options.name}-${randomUUID().slice(0, 8)}`;
        folder.writeJob({
            jobId: id,
            pid: child.pid ?? -1,
            runDir,
            name: spec.options.name,
            startedAt: Date.now(),
            ...(spec.configFile ? { configFile: spec.configFile } : {}),
        });
        // A status from an earlier job would read as this job's until the worker writes its own.
        folder.writeStatus({
            jobId: id,
            pid: child.pid ?? -1,
            state: 'starting',
            step: 0,
            epoch: 1,
            totalSteps: 0,
            totalEpochs: 0,
            updatedAt: Date.now(),
        });
        const job = Job.forked(id, runDir, spec.options.name, child);
        const msg: StartJob = {
            type: 'start',
            jobId: id,
            runDir,
            options: spec.options,
            mode: spec.mode,
            ...(spec.configText !== undefined ? { configText: spec.configText } : {}),
            ...(spec.configFile ? { configFile: spec.configFile } : {}),
            ...(spec.maxSteps !== undefined ? { maxSteps: spec.maxSteps } : {}),
            ...(spec.testHooks ? { testHooks: spec.testHooks } : {}),
        };
        child.send(msg satisfies ToWorker);
        this.track(job);
        this.remember(runDir);
        return job;
    }

    /** Follow every indexed job that is still running (after a reload). */
    reattach(): Job[] {
        const found: Job[] = [];
        const keep: string[] = [];
        for (const runDir of this.index()) {
            const active = this.activeIn(runDir);
            if (!active) continue;
            keep.push(runDir);
            if (this.jobs.has(active.jobId)) continue;
            const job = Job.followed(
                active.jobId,
                runDir,
                active.name,
                active.pid,
                this.opts.pollMs ?? 1000,
            );
            this.track(job);
            found.push(job);
        }
        this.writeIndex(keep);
        return found;
    }

    get(jobId: string): Job | undefined {
        return this.jobs.get(jobId);
    }

    list(): Job[] {
        return [...this.jobs.values()];
    }

    /** Stop following every job; the workers keep running (they are found again later). */
    dispose(): void {
        for (const j of this.jobs.values()) j.detach();
        this.jobs.clear();
    }

    /** The registry entry of a live job in `runDir`, if any. */
    private activeIn(runDir: string): { jobId: string; pid: number; name: string } | undefined {
        const folder = new RunFolder(runDir);
        const rec = folder.readJob();
        const st = folder.readStatus();
        if (!rec || !st || st.jobId !== rec.jobId || !ACTIVE.has(st.state)) return undefined;
        return isProcessAlive(rec.pid)
            ? { jobId: rec.jobId, pid: rec.pid, name: rec.name }
            : undefined;
    }

    private track(job: Job): void {
        this.jobs.set(job.id, job);
    }

    private index(): string[] {
        if (!this.opts.indexFile) return [];
        const v = readJson<unknown>(this.opts.indexFile);
        return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    }

    private remember(runDir: string): void {
        const all = this.index();
        if (!all.includes(runDir)) this.writeIndex([...all, runDir]);
    }

    private writeIndex(runDirs: string[]): void {
        if (!this.opts.indexFile) return;
        fs.mkdirSync(path.dirname(this.opts.indexFile), { recursive: true });
        writeJsonAtomic(this.opts.indexFile, runDirs);
    }
}
