/**
 * What the editor knows about jobs: their info, latest progress and sample, fed by the
 * server's `spade/jobs/event` notifications and `spade/jobs/list`. Free of the vscode API.
 */
import type {
    JobEventParams,
    JobInfo,
    ProgressEvent,
    WorkerEvent,
} from '../../../server/src/protocol/worker';

/** One job as the editor shows it. */
export interface TrackedJob {
    info: JobInfo;
    progress?: ProgressEvent;
    backend?: string;
    sample?: { step: number; file: string };
}

export type TrackerListener = (job: TrackedJob, event: WorkerEvent | undefined) => void;

const ACTIVE = new Set(['starting', 'running', 'stopping']);

export class JobTracker {
    private readonly jobs = new Map<string, TrackedJob>();
    private readonly listeners = new Set<TrackerListener>();
    /** Events that came before their job's info (the start reply can trail its first events). */
    private readonly early = new Map<string, JobEventParams[]>();

    /** Add or refresh a job (from a start result or the list request). */
    upsert(info: JobInfo): TrackedJob {
        const known = this.jobs.get(info.jobId);
        const job: TrackedJob = known ? { ...known, info } : { info };
        if (!job.backend && info.status?.backend) job.backend = info.status.backend;
        this.jobs.set(info.jobId, job);
        this.fire(job, undefined);
        const early = this.early.get(info.jobId) ?? [];
        this.early.delete(info.jobId);
        for (const p of early) this.apply(p);
        return job;
    }

    /** Apply one worker event; events of a job not known yet wait for its info. */
    apply(p: JobEventParams): void {
        const job = this.jobs.get(p.jobId);
        if (!job) {
            const list = this.early.get(p.jobId) ?? [];
            if (list.length < 200) list.push(p);
            this.early.set(p.jobId, list);
            return;
        }
        const e = p.event;
        switch (e.type) {
            case 'started':
                job.backend = e.backend;
                job.info = { ...job.info, state: 'running', pid: e.pid };
                break;
            case 'progress':
                job.progress = e;
                if (job.info.state === 'starting') job.info = { ...job.info, state: 'running' };
                break;
            case 'sample':
                job.sample = { step: e.step, file: e.file };
                break;
            case 'done':
                job.info = { ...job.info, state: e.reason };
                break;
            default:
                break;
        }
        this.fire(job, e);
    }

    markStopping(jobId: string): void {
        const job = this.jobs.get(jobId);
        if (job && ACTIVE.has(job.info.state)) {
            job.info = { ...job.info, state: 'stopping' };
            this.fire(job, undefined);
        }
    }

    get(jobId: string): TrackedJob | undefined {
        return this.jobs.get(jobId);
    }

    all(): TrackedJob[] {
        return [...this.jobs.values()];
    }

    active(): TrackedJob[] {
        return this.all().filter((j) => ACTIVE.has(j.info.state));
    }

    onChange(l: TrackerListener): { dispose(): void } {
        this.listeners.add(l);
        return { dispose: () => this.listeners.delete(l) };
    }

    private fire(job: TrackedJob, e: WorkerEvent | undefined): void {
        for (const l of this.listeners) l(job, e);
    }
}

export function isActive(job: TrackedJob): boolean {
    return ACTIVE.has(job.info.state);
}
