/**
 * The layout of a run folder and its small files:
 *
 *   config.spade        the config text as run (config-<step>.spade when a resume changed it)
 *   options.json        the resolved options of the latest start
 *   metrics.jsonl       one MetricsRecord per step, appended
 *   samples/            step-NNNNNNNN.png grids
 *   checkpoints/        step-NNNNNNNN/ folders and the `latest` pointer (checkpoints.ts)
 *   job.json, status.json   the job registry: who runs here (pid) and how far it got
 *   stop-request        present while a stop is asked of a worker without IPC
 *   worker.log          the worker's log lines
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunOptions } from '../engine/options';
import type { JobStatus, MetricsRecord } from '../protocol/worker';
import { appendLineDurable, writeFileAtomic, writeJsonAtomic } from '../util/atomic';

/** job.json: written by the runner when it starts a worker. */
export interface JobRecord {
    jobId: string;
    pid: number;
    runDir: string;
    name: string;
    /** Unix milliseconds. */
    startedAt: number;
    configFile?: string;
}

export class RunFolder {
    constructor(readonly dir: string) {}

    get optionsFile(): string {
        return path.join(this.dir, 'options.json');
    }
    get metricsFile(): string {
        return path.join(this.dir, 'metrics.jsonl');
    }
    get samplesDir(): string {
        return path.join(this.dir, 'samples');
    }
    get statusFile(): string {
        return path.join(this.dir, 'status.json');
    }
    get jobFile(): string {
        return path.join(this.dir, 'job.json');
    }
    get logFile(): string {
        return path.join(this.dir, 'worker.log');
    }
    /** Its presence asks the worker to stop (works where signals cannot, e.g. on Windows). */
    get stopFile(): string {
        return path.join(this.dir, 'stop-request');
    }

    prepare(): void {
        fs.mkdirSync(this.samplesDir, { recursive: true });
    }

    /** Keep the config as run; a resume with a different text keeps both. */
    writeConfig(text: string, step: number): void {
        const main = path.join(this.dir, 'config.spade');
        if (!fs.existsSync(main)) return writeFileAtomic(main, text);
        if (fs.readFileSync(main, 'utf8') === text) return;
        writeFileAtomic(path.join(this.dir, `config-${step}.spade`), text);
    }

    readOptions(): RunOptions | undefined {
        return readJson<RunOptions>(this.optionsFile);
    }

    writeOptions(opts: RunOptions): void {
        writeJsonAtomic(this.optionsFile, opts);
    }

    appendMetrics(rec: MetricsRecord): void {
        appendLineDurable(this.metricsFile, JSON.stringify(rec));
    }

    /**
     * Metrics from byte `from` on, and where the next read starts. A torn last line (a
     * killed writer) and lines past a resume point are handled by the caller's step filter.
     */
    readMetrics(from = 0): { records: MetricsRecord[]; next: number } {
        return readJsonLines<MetricsRecord>(this.metricsFile, from);
    }

    /**
     * Drop metrics lines past `step`: after a resume from an older checkpoint the steps
     * between it and the kill are trained again, and their old lines would duplicate.
     */
    truncateMetricsAfter(step: number): void {
        if (!fs.existsSync(this.metricsFile)) return;
        const { records } = this.readMetrics();
        const kept = records.filter((r) => r.step <= step);
        if (kept.length === records.length) return;
        writeFileAtomic(this.metricsFile, kept.map((r) => JSON.stringify(r) + '\n').join(''));
    }

    sampleFile(step: number): string {
        return path.join(this.samplesDir, `step-${String(step).padStart(8, '0')}.png`);
    }

    readStatus(): JobStatus | undefined {
        return readJson<JobStatus>(this.statusFile);
    }

    writeStatus(s: JobStatus): void {
        writeJsonAtomic(this.statusFile, s);
    }

    readJob(): JobRecord | undefined {
        return readJson<JobRecord>(this.jobFile);
    }

    writeJob(j: JobRecord): void {
        writeJsonAtomic(this.jobFile, j);
    }

    appendLog(level: string, message: string): void {
        fs.appendFileSync(this.logFile, `${new Date().toISOString()} ${level} ${message}\n`);
    }
}

/** Parse a JSON file, or undefined when it is absent or unreadable. */
export function readJson<T>(file: string): T | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
    } catch {
        return undefined;
    }
}

/** Complete JSON lines from byte offset `from`; a partial last line is left for later. */
export function readJsonLines<T>(file: string, from = 0): { records: T[]; next: number } {
    if (!fs.existsSync(file)) return { records: [], next: 0 };
    const size = fs.statSync(file).size;
    if (size < from) from = 0; // rewritten (truncated) since the last read
    if (size === from) return { records: [], next: from };
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(size - from);
    try {
        fs.readSync(fd, buf, 0, buf.length, from);
    } finally {
        fs.closeSync(fd);
    }
    const end = buf.lastIndexOf(0x0a);
    if (end < 0) return { records: [], next: from };
    const records: T[] = [];
    for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
            records.push(JSON.parse(line) as T);
        } catch {
            // A line torn by a kill mid-append: skip it, the next lines are whole.
        }
    }
    return { records, next: from + end + 1 };
}
