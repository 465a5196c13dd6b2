/**
 * `spade train FILE --run NAME`: runs the same worker the editor uses, in the foreground, with a
 * progress bar (epoch, step, percent, ETA, steps/s, latest losses). Ctrl-C stops after the
 * current step with a checkpoint; a second Ctrl-C kills the worker (the last checkpoint stays).
 */
import * as path from 'node:path';
import type { RunOptions } from '../engine/options';
import { readConfig, resolveRun, listTrainBlocks } from '../jobs/config-source';
import { progressBar, progressLine } from '../jobs/progress';
import { readJson } from '../jobs/run-folder';
import { missingDataFolders } from '../jobs/preflight';
import { JobRunner, JobStartError, type RunnerOptions } from '../jobs/runner';
import type { DoneEvent, ProgressEvent, StartMode, WorkerEvent } from '../protocol/worker';
import type { CliIO, Command } from './command';

const USAGE = [
    'usage: spade train FILE [--block NAME] [--run NAME] [--resume] [--max-steps N]',
    '  FILE       a .spade config (its train block is resolved like the editor does), or a',
    '             resolved-options .json file (options.json from a run folder)',
    '  --block    the train block to run when FILE has more than one',
    '  --run      run name: the run folder becomes a sibling of the configured one with this name',
    '  --resume   continue the run folder from its latest checkpoint',
    '  --max-steps  stop (with a checkpoint) after this global step',
    '  Exit code 0: finished or stopped; 1: training failed; 2: bad usage or input (config,',
    '  data folders, checkpoints already there or none to resume; nothing is created);',
    '  130: killed by a second Ctrl-C (no final checkpoint; the last one is intact).',
].join('\n');

/** Exit code after a second Ctrl-C killed the worker (128 + SIGINT, as shells report it). */
export const KILLED_EXIT = 130;

/** The worker's and runner's messages name the editor's Resume action; here it is a flag. */
function forCli(message: string): string {
    return message
        .replace(/\bUse Resume\b/, 'Add --resume')
        .replace(/\bStart a new training instead\./, 'Drop --resume to start a new training.');
}

function killedMessage(done: DoneEvent): string {
    const last = done.lastCheckpoint
        ? `The last checkpoint is intact: ${done.lastCheckpoint} (--resume continues from it).`
        : 'No checkpoint had been saved yet.';
    return (
        `Training killed by the second Ctrl-C at step ${done.step} (epoch ${done.epoch}), ` +
        `without a final checkpoint. ${last}`
    );
}

/** Test seams: runner options (worker, environment) and whether to redraw one status line. */
export interface TrainCommandDeps {
    runnerOptions?: RunnerOptions;
    tty?: boolean;
}

interface Args {
    file: string;
    block?: string;
    run?: string;
    mode: StartMode;
    maxSteps?: number;
}

function parseArgs(args: string[]): Args | string {
    const out: Partial<Args> = { mode: 'fresh' };
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        const value = () => {
            const v = args[++i];
            if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
            return v;
        };
        try {
            if (a === '--block') out.block = value();
            else if (a === '--run') out.run = value();
            else if (a === '--resume') out.mode = 'resume';
            else if (a === '--max-steps') {
                const n = Number(value());
                if (!Number.isInteger(n) || n <= 0)
                    return `--max-steps takes a positive whole number`;
                out.maxSteps = n;
            } else if (a.startsWith('-')) return `unknown option '${a}'`;
            else if (out.file === undefined) out.file = a;
            else return `one FILE only (got '${out.file}' and '${a}')`;
        } catch (e) {
            return (e as Error).message;
        }
    }
    return out.file === undefined ? 'name the config FILE to train' : (out as Args);
}

/** Options from a .spade train block or a resolved-options JSON file. */
function loadOptions(
    a: Args,
    io: CliIO,
): { options: RunOptions; text?: string; file: string } | string {
    const file = path.resolve(io.cwd, a.file);
    const read = readConfig(file);
    if (!read.ok) return read.message;
    if (file.endsWith('.json')) {
        const options = readJson<RunOptions>(file);
        if (!options?.dataset || !options.generator) {
            return (
                `${file}: not a resolved-options file (no dataset/generator); ` +
                'pass a .spade config instead.'
            );
        }
        if (a.run !== undefined) {
            options.name = a.run;
            options.outDir = path.join(path.dirname(options.outDir), a.run);
        }
        return { options, file };
    }
    let block = a.block;
    if (block === undefined) {
        const blocks = listTrainBlocks(file, read.text);
        if (blocks.length === 0) {
            return path.extname(file) === '.spade'
                ? `${file}: has no train block; add one (train NAME { data = ... }) ` +
                      'or pass the config that holds it.'
                : `${file}: is not a .spade config (no train block in it); ` +
                      "pass a .spade config with a train block, or a run's options.json.";
        }
        if (blocks.length > 1) {
            const names = blocks.map((b) => b.name).join(', ');
            return `${file}: has several train blocks (${names}); choose one with --block NAME.`;
        }
        block = blocks[0].name;
    }
    const r = resolveRun(file, read.text, block, a.run);
    if (!r.ok) return r.message;
    return { options: r.run.options, text: read.text, file };
}

export function makeTrainCommand(deps: TrainCommandDeps = {}): Command {
    return {
        name: 'train',
        summary: 'train a model from a train block, with a progress bar (Ctrl-C stops and saves)',
        usage: USAGE,
        async run(args, io) {
            const a = parseArgs(args);
            if (typeof a === 'string') {
                io.err(`spade train: ${a}.`);
                io.err(USAGE);
                return 2;
            }
            const loaded = loadOptions(a, io);
            if (typeof loaded === 'string') {
                io.err(`spade train: ${loaded}`);
                return 2;
            }
            const { options } = loaded;
            // Before anything is created: a refused start leaves no run folder behind.
            const missing = missingDataFolders(options.dataset);
            if (missing.length > 0) {
                for (const m of missing) io.err(`spade train: ${m}`);
                return 2;
            }
            const runner = new JobRunner({ detached: false, ...deps.runnerOptions });
            let job;
            try {
                job = runner.start({
                    runDir: options.outDir,
                    options,
                    mode: a.mode,
                    configFile: loaded.file,
                    ...(loaded.text !== undefined ? { configText: loaded.text } : {}),
                    ...(a.maxSteps !== undefined ? { maxSteps: a.maxSteps } : {}),
                });
            } catch (e) {
                if (!(e instanceof JobStartError)) throw e;
                io.err(`spade train: ${forCli(e.message)}`);
                return 2;
            }
            io.err(`Training ${options.name} into ${options.outDir} (worker pid ${job.pid}).`);
            const view = new ProgressView(io, deps.tty ?? process.stderr.isTTY === true);
            const off = job.onEvent((e) => view.show(e));
            let interrupts = 0;
            const onSigint = () => {
                interrupts += 1;
                if (interrupts === 1) {
                    view.note(
                        'Stopping after this step and saving a checkpoint; Ctrl-C again to kill.',
                    );
                    job.stop();
                } else {
                    job.kill();
                }
            };
            // A terminal closing (SIGHUP) or a `kill` (SIGTERM) stops the worker as Ctrl-C does;
            // otherwise the worker would go on training with no one watching it.
            const onTerminate = () => {
                view.note('Stopping after this step and saving a checkpoint (signal received).');
                job.stop();
            };
            process.on('SIGINT', onSigint);
            process.on('SIGTERM', onTerminate);
            process.on('SIGHUP', onTerminate);
            try {
                const done = await job.finished;
                view.end();
                if (done.killed) {
                    io.err(killedMessage(done));
                    return KILLED_EXIT;
                }
                if (done.reason !== 'failed') {
                    io.err(
                        `Training ${done.reason} at step ${done.step} (epoch ${done.epoch}).` +
                            (done.lastCheckpoint ? ` Checkpoint: ${done.lastCheckpoint}` : ''),
                    );
                }
                return done.reason === 'failed' ? 1 : 0;
            } finally {
                process.off('SIGINT', onSigint);
                process.off('SIGTERM', onTerminate);
                process.off('SIGHUP', onTerminate);
                off();
                await job.exited;
                runner.dispose();
            }
        },
    };
}

/** The terminal view: one redrawn line on a TTY, a line every few seconds otherwise. */
class ProgressView {
    private lastLine = 0;
    private drawn = false;
    private pending?: ProgressEvent;
    /** Warnings and errors already printed. */
    private readonly said = new Set<string>();

    constructor(
        private readonly io: CliIO,
        private readonly tty: boolean,
    ) {}

    show(e: WorkerEvent): void {
        if (e.type === 'progress') {
            this.progress(e);
        } else if (e.type === 'started') {
            const at = e.resumedFrom ? `resuming (${e.resumedFrom.mode}) at` : 'starting at';
            this.note(
                `Backend: ${e.backend}; ${e.stepsPerEpoch} steps per epoch; ` +
                    `${at} step ${e.step} of ${e.totalSteps}.`,
            );
        } else if (e.type === 'checkpoint') {
            this.note(`Checkpoint saved: ${e.dir}`);
        } else if (e.type === 'error') {
            // A failure is often logged as it happens and then reported: say it once.
            if (!this.said.has(e.message)) this.note(`spade train: ${forCli(e.message)}`);
            this.said.add(e.message);
        } else if (e.type === 'log' && (e.level === 'warn' || e.level === 'error')) {
            // Info lines are in the run folder's worker.log; the terminal gets what needs action.
            if (!this.said.has(e.message)) this.note(e.message);
            this.said.add(e.message);
        }
    }

    /** Print the newest progress line if the throttle held it back. */
    flush(): void {
        if (!this.pending) return;
        const p = this.pending;
        this.pending = undefined;
        this.lastLine = Date.now();
        this.io.err(progressLine(p));
    }

    note(line: string): void {
        this.end();
        this.io.err(line);
    }

    end(): void {
        if (!this.tty) this.flush();
        if (this.drawn) process.stderr.write('\n');
        this.drawn = false;
    }

    private progress(p: ProgressEvent): void {
        if (this.tty) {
            const width = process.stderr.columns ?? 120;
            const text = `${progressBar(p.percent)} ${progressLine(p)}`.slice(0, width - 1);
            process.stderr.write(`\r${text}\x1b[K`);
            this.drawn = true;
            return;
        }
        this.pending = p;
        if (Date.now() - this.lastLine >= 5000) this.flush();
    }
}

export const trainCommand = makeTrainCommand();
