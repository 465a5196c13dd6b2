/**
 * The language server's side of the synthesis worker (synthesis-worker-main.ts): forks it on
 * the first request, forwards requests and cancellations, answers the requests in flight with
 * a clear error when the worker dies and starts a new one for the next request, and kills it
 * when the server goes. No connection access: the preview handler turns errors into responses.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
    FromSynthesisWorker,
    RequestMessage,
    SynthesisMethod,
    SynthesisMethods,
    SynthesisWorkerSettings,
    ToSynthesisWorker,
} from '../protocol/synthesis-worker';
import { PreviewCancelled, PreviewError } from './preview-masks';

/** The part of an LSP CancellationToken the forwarding needs. */
export interface Cancellation {
    readonly isCancellationRequested: boolean;
    onCancellationRequested(listener: () => void): { dispose(): void };
}

/** Where the worker's and this class's log lines go. */
export type WorkerLog = (level: 'error' | 'warn' | 'info' | 'debug', message: string) => void;

/** Settings of the forwarding. */
export interface SynthesisWorkerOptions {
    settings: SynthesisWorkerSettings;
    log: WorkerLog;
    /** Worker entry; default: dist/synthesis-worker.js beside this bundle, or the source via tsx. */
    workerPath?: string;
    execArgv?: string[];
}

/** A request waiting for its answer, and the worker that has it. */
interface Pending {
    child: ChildProcess;
    /** What the request is about, for the crash message ("synthesizing scene.png"). */
    what: string;
    resolve(value: unknown): void;
    reject(error: Error): void;
}

/** The worker entry that exists in this installation. */
export function defaultSynthesisWorker(): { path: string; execArgv: string[] } {
    const bundled = path.join(__dirname, 'synthesis-worker.js');
    if (fs.existsSync(bundled)) return { path: bundled, execArgv: [] };
    const source = path.join(__dirname, 'synthesis-worker-main.ts');
    if (fs.existsSync(source)) return { path: source, execArgv: ['--import', 'tsx'] };
    throw new PreviewError(
        `No synthesis worker found beside ${__dirname}; the extension is incomplete. ` +
            'Reinstall it (or run "npm run build" in a development checkout).',
    );
}

/** Forwards the preview's model requests to a worker process, restarting it when it dies. */
export class SynthesisWorker {
    private child: ChildProcess | undefined;
    private nextId = 1;
    private readonly pending = new Map<number, Pending>();
    private disposed = false;

    constructor(private readonly opts: SynthesisWorkerOptions) {}

    /** The worker's process id, while one runs. */
    get pid(): number | undefined {
        return this.child?.pid;
    }

    /**
     * Sends one request. When `token` is cancelled the promise rejects with PreviewCancelled
     * at once and the worker drops the request (or discards its answer, if it already runs).
     */
    request<M extends SynthesisMethod>(
        method: M,
        params: SynthesisMethods[M][0],
        what: string,
        token?: Cancellation,
    ): Promise<SynthesisMethods[M][1]> {
        if (token?.isCancellationRequested) return Promise.reject(new PreviewCancelled());
        const child = this.ensure();
        const id = this.nextId++;
        return new Promise<SynthesisMethods[M][1]>((resolve, reject) => {
            const sub = token?.onCancellationRequested(() => {
                if (!this.pending.delete(id)) return;
                this.post(child, { type: 'cancel', id });
                reject(new PreviewCancelled());
            });
            const settle = () => sub?.dispose();
            this.pending.set(id, {
                child,
                what,
                resolve: (v) => {
                    settle();
                    resolve(v as SynthesisMethods[M][1]);
                },
                reject: (e) => {
                    settle();
                    reject(e);
                },
            });
            this.post(child, { type: 'request', id, method, params } as RequestMessage);
        });
    }

    /** Kills the worker (server shutdown); later requests are refused. */
    dispose(): void {
        this.disposed = true;
        this.child?.kill();
        this.child = undefined;
    }

    /** The running worker, or a new one. */
    private ensure(): ChildProcess {
        if (this.disposed) {
            throw new PreviewError('The language server is shutting down; nothing is synthesized.');
        }
        if (this.child && this.child.exitCode === null && this.child.connected) return this.child;
        const w = this.opts.workerPath
            ? { path: this.opts.workerPath, execArgv: this.opts.execArgv ?? [] }
            : defaultSynthesisWorker();
        // stdout is piped, never inherited: the server's own stdout carries the LSP stream.
        const child = fork(w.path, [], {
            execArgv: this.opts.execArgv ?? w.execArgv,
            stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        });
        this.child = child;
        const lines = (level: 'debug' | 'warn') => (chunk: Buffer) => {
            for (const line of chunk.toString('utf8').split('\n')) {
                if (line.trim()) this.opts.log(level, `synthesis worker: ${line}`);
            }
        };
        child.stdout?.on('data', lines('debug'));
        child.stderr?.on('data', lines('warn'));
        child.on('message', (m: FromSynthesisWorker) => this.receive(m));
        child.on('exit', (code, signal) => this.exited(child, code, signal));
        child.on('error', (e) => {
            this.opts.log('error', `synthesis worker (pid ${child.pid}): ${e.message}`);
            child.kill();
        });
        this.post(child, { type: 'configure', settings: this.opts.settings });
        this.opts.log('debug', `synthesis worker started (pid ${child.pid})`);
        return child;
    }

    private post(child: ChildProcess, m: ToSynthesisWorker): void {
        try {
            child.send(m);
        } catch (e) {
            // The channel closed: the exit handler answers the requests this worker had.
            this.opts.log(
                'warn',
                `synthesis worker: cannot send ${m.type}: ${(e as Error).message}`,
            );
            child.kill();
        }
    }

    private receive(m: FromSynthesisWorker): void {
        if (m.type === 'log') {
            this.opts.log(m.level, m.message);
            return;
        }
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.type === 'result') {
            p.resolve(m.result);
        } else if (m.kind === 'cancelled') {
            p.reject(new PreviewCancelled());
        } else if (m.kind === 'user') {
            p.reject(new PreviewError(m.message));
        } else {
            // A bug in the worker: the handler logs the stack and answers with the message.
            const e = new Error(m.message);
            e.stack = m.stack ?? e.stack;
            p.reject(e);
        }
    }

    private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
        if (this.child === child) this.child = undefined;
        if (this.disposed) return;
        const how = signal ? `killed by ${signal}` : `exit code ${code}`;
        const lost = [...this.pending].filter(([, p]) => p.child === child);
        this.opts.log(
            lost.length > 0 ? 'error' : 'warn',
            `synthesis worker (pid ${child.pid}) stopped: ${how}; ${lost.length} request(s) lost`,
        );
        for (const [id, p] of lost) {
            this.pending.delete(id);
            p.reject(
                new PreviewError(
                    `The synthesis worker stopped unexpectedly (${how}) while ${p.what}. ` +
                        'The next request starts a new worker. If this keeps happening, the ' +
                        'model may need more memory than is free; the SPADE log has details.',
                ),
            );
        }
    }
}
