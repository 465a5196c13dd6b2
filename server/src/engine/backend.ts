/**
 * Backend selection and the `doctor` report. Order for device `auto`: tfjs-node-gpu (CUDA),
 * tfjs-node (native CPU), wasm (XNNPACK), cpu (plain JS). `gpu` insists on tfjs-node-gpu; `cpu`
 * skips it. Every candidate that did not load is reported with the reason: the missing package,
 * or the shared library its loader could not open.
 */
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type * as WasmBackend from '@tensorflow/tfjs-backend-wasm';
import type { Device } from './options';
import { createOrtEngine } from './ort-engine';
import { installOrtKernels, ortKernelEngine } from './ort-kernels';
import { prepareWasmThreads, unrefWasmWorkers, type WasmThreadsSetup } from './wasm-threads';

/** The backends the engine knows, in preference order. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** What happened when one backend was tried. */
export interface BackendProbe {
    backend: BackendName;
    /** npm package that provides it. */
    pkg: string;
    ok: boolean;
    /** Why it did not load (absent when ok). */
    reason?: string;
    /** The shared library the loader could not open, when that was the cause. */
    missingLibrary?: string;
}

/** The result of `initBackend` / `doctor`. */
export interface BackendReport {
    /** The backend now active (tfjs name: 'tensorflow', 'wasm' or 'cpu'). */
    active: string;
    chosen: BackendName;
    device: Device;
    probes: BackendProbe[];
    /** wasm threads in use (see wasm-threads.ts; SPADE_WASM_THREADS=1 turns them off). */
    threads?: number;
    /** Why wasm runs on one thread although more were wanted. */
    threadsNote?: string;
    /** Where the thread count came from (the cores, SPADE_WASM_THREADS, the trainer). */
    threadsSource?: string;
    /** SPADE_WASM_THREADS that was ignored, capped, or is more than the cores. */
    threadsWarning?: string;
    /** On wasm: where its matMuls and convolutions run (onnxruntime, or why not). */
    kernels?: string;
    /** What tfjs-node-gpu needs from the system. */
    gpuRequirements: string;
}

/** tfjs-node-gpu 4.22 links libtensorflow 2.9 built against CUDA 11.2 and cuDNN 8.1. */
export const GPU_REQUIREMENTS =
    'npm install @tensorflow/tfjs-node-gpu@4.22.0 (optional peer dependency); needs Linux x86-64, ' +
    'an NVIDIA driver >= 450, CUDA Toolkit 11.2 and cuDNN 8.1 on the library path';

const PKGS: Record<BackendName, string> = {
    'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
    tensorflow: '@tensorflow/tfjs-node',
    wasm: '@tensorflow/tfjs-backend-wasm',
    cpu: '@tensorflow/tfjs (built-in cpu backend)',
};

/** The shared library named in a dlopen/LoadLibrary failure, if any. */
export function missingLibraryOf(message: string): string | undefined {
    const libFailure = new RegExp(
        /([\w.+-]+\.(?:so(?:\.[\w.]+)?|dylib|dll))[^\n]*?/.source +
            '(?:cannot open shared object|No such file|not found|' +
            'could not be found|image not found)',
        'i',
    );
    const m =
        libFailure.exec(message) ??
        /(?:Library not loaded|cannot load|Could not load dynamic library)\W+([^\s'"]+)/i.exec(
            message,
        );
    return m?.[1];
}

function failure(backend: BackendName, e: unknown): BackendProbe {
    const err = e as NodeJS.ErrnoException;
    const msg = String(err?.message ?? e);
    const pkg = PKGS[backend];
    if (err?.code === 'MODULE_NOT_FOUND' && msg.includes(pkg.split(' ')[0])) {
        return { backend, pkg, ok: false, reason: `package ${pkg} is not installed` };
    }
    const lib = missingLibraryOf(msg);
    const reason = lib
        ? `the loader could not open the shared library ${lib}`
        : `loading failed: ${msg.split('\n')[0]}`;
    return { backend, pkg, ok: false, reason, missingLibrary: lib };
}

// Packages loaded through a computed name so bundlers leave the optional peers alone.
const dynRequire = createRequire(__filename);

async function tryNative(backend: 'tensorflow-gpu' | 'tensorflow'): Promise<BackendProbe> {
    try {
        dynRequire(PKGS[backend]);
        if (!(await tf.setBackend('tensorflow')))
            throw new Error('the tensorflow backend did not initialise');
        return { backend, pkg: PKGS[backend], ok: true };
    } catch (e) {
        return failure(backend, e);
    }
}

// tfjs prints a console banner recommending tfjs-node when the cpu backend starts in Node; the
// doctor report says that in its place. PROD only silences tfjs's warnings.
tf.env().set('PROD', true);

let wasmPathsSet = false;

/**
 * The wasm backend's Emscripten glue adds process handlers that rethrow every unhandled
 * rejection and uncaught exception, which would turn any stray rejection anywhere in the
 * process (the worker's, the server's) into a crash. Keep only the handlers that were there.
 */
async function withoutRethrowingHandlers<T>(init: () => Promise<T>): Promise<T> {
    const rejections = new Set(process.listeners('unhandledRejection'));
    const exceptions = new Set(process.listeners('uncaughtException'));
    try {
        return await init();
    } finally {
        for (const l of process.listeners('unhandledRejection'))
            if (!rejections.has(l)) process.removeListener('unhandledRejection', l);
        for (const l of process.listeners('uncaughtException'))
            if (!exceptions.has(l)) process.removeListener('uncaughtException', l);
    }
}

/**
 * wasm threads wanted: SPADE_WASM_THREADS when set (1 turns threads off), else `preferred`
 * when given, else the cores the process may use; at most 8 (the package's pool size).
 */
export function wantedWasmThreads(
    env: NodeJS.ProcessEnv = process.env,
    preferred?: number,
): number {
    return wasmThreadsChoice(env, preferred).threads;
}

/**
 * Where wantedWasmThreads(env, preferred) takes its number from, for the doctor report, and a
 * warning when SPADE_WASM_THREADS is ignored (not a whole number >= 1), capped or above the cores.
 */
export function wasmThreadsOrigin(
    env: NodeJS.ProcessEnv = process.env,
    preferred?: number,
    cores: number = os.availableParallelism(),
): { source: string; warning?: string } {
    const { source, warning } = wasmThreadsChoice(env, preferred, cores);
    return warning === undefined ? { source } : { source, warning };
}

/** The thread count with its origin and warning, from one reading of SPADE_WASM_THREADS. */
function wasmThreadsChoice(
    env: NodeJS.ProcessEnv = process.env,
    preferred?: number,
    cores: number = os.availableParallelism(),
): { threads: number; source: string; warning?: string } {
    const text = env.SPADE_WASM_THREADS?.trim() ?? '';
    const set = Number(text);
    const fallback = {
        threads: Math.max(1, Math.min(preferred ?? cores, 8)),
        source:
            preferred !== undefined
                ? `the trainer's choice (${preferred === 1 ? 'one thread' : 'the cores'}); ` +
                  'SPADE_WASM_THREADS overrides'
                : `the cores${cores > 8 ? ', at most 8' : ''}; SPADE_WASM_THREADS overrides; ` +
                  (ortKernelsWanted(env)
                      ? 'training uses 1 while onnxruntime runs the matrix kernels'
                      : 'training at batch size 1 uses 1'),
    };
    if (text === '') return fallback;
    if (!Number.isInteger(set) || set < 1) {
        return {
            ...fallback,
            warning:
                `SPADE_WASM_THREADS is '${env.SPADE_WASM_THREADS}', not a whole number of at ` +
                'least 1, so it is ignored; set it to a thread count such as 2, or unset it',
        };
    }
    const chosen = { threads: Math.min(set, 8), source: `SPADE_WASM_THREADS=${set}` };
    const problems: string[] = [];
    if (set > 8) problems.push("capped at 8 (the wasm package's thread pool size)");
    if (set > cores)
        problems.push(
            `more than the ${cores} core${cores === 1 ? '' : 's'} this process may use, so the ` +
                'threads compete for them; set it to at most the cores',
        );
    if (problems.length === 0) return chosen;
    return { ...chosen, warning: `SPADE_WASM_THREADS=${set} is ${problems.join(' and ')}` };
}

/** Threads the wasm backend starts with (fixed once it runs); see wantedWasmThreads. */
let preferredThreads: number | undefined;

/** Where the running wasm backend's thread count came from (fixed when it started). */
let wasmThreadsFrom: { threads: number; source: string; warning?: string } | undefined;

/** Why the threaded wasm backend was not used, when it was wanted (for the doctor report). */
let wasmThreadsNote: string | undefined;

/** Starts the threaded wasm backend; false (and a note) when it does not come up. */
async function startThreadedWasm(wasm: typeof WasmBackend, threads: number): Promise<boolean> {
    const dir = path.dirname(dynRequire.resolve(`${PKGS.wasm}/package.json`));
    let setup: WasmThreadsSetup | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
        setup = prepareWasmThreads(tf.env(), dir, threads);
        wasm.setThreadsCount(threads);
        const timeout = new Promise<boolean>((_, reject) => {
            timer = setTimeout(
                () => reject(new Error('no answer from its workers in 30 s')),
                30_000,
            );
        });
        const ok = await Promise.race([
            withoutRethrowingHandlers(() => tf.setBackend('wasm')),
            timeout,
        ]);
        if (!ok) throw new Error('the threaded backend did not initialise');
        unrefWasmWorkers((tf.backend() as unknown as { wasm: unknown }).wasm);
        wasmThreadsNote = undefined;
        return true;
    } catch (e) {
        wasmThreadsNote = `threads off: ${e instanceof Error ? e.message : String(e)}`;
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        wasm.setThreadsCount(1);
        return false;
    } finally {
        clearTimeout(timer);
        setup?.restore();
    }
}

/** Why wasm's matrix kernels are its own, when onnxruntime's were wanted (doctor report). */
let ortKernelsNote: string | undefined;
let ortKernelsTried = false;

/**
 * Moves wasm's matMul and convolution kernels onto onnxruntime's CPU GEMM (ort-kernels.ts),
 * once per process, unless SPADE_ORT_KERNELS=0. On failure wasm keeps its own, with a note.
 */
async function startOrtKernels(): Promise<void> {
    if (ortKernelsTried) return;
    ortKernelsTried = true;
    if (!ortKernelsWanted()) {
        ortKernelsNote = "wasm's own (SPADE_ORT_KERNELS=0)";
        return;
    }
    try {
        installOrtKernels(await createOrtEngine(ortThreads()));
    } catch (e) {
        const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
        ortKernelsNote = `wasm's own: onnxruntime did not start (${why})`;
    }
}

/** Whether wasm's matrix kernels should run on onnxruntime (SPADE_ORT_KERNELS=0: no). */
export function ortKernelsWanted(env: NodeJS.ProcessEnv = process.env): boolean {
    const v = env.SPADE_ORT_KERNELS?.trim().toLowerCase() ?? '';
    return !['0', 'false', 'no', 'off'].includes(v);
}

/** Why SPADE_ORT_THREADS was not taken as it is (for the doctor report), if it was not. */
let ortThreadsNote: string | undefined;

/**
 * onnxruntime's threads for the kernels: the cores (at most 8); SPADE_ORT_THREADS, a whole
 * number of at least 1, overrides (capped at 8, as the wasm threads are).
 */
function ortThreads(env: NodeJS.ProcessEnv = process.env): number {
    const text = env.SPADE_ORT_THREADS?.trim() ?? '';
    const cores = Math.max(1, Math.min(os.availableParallelism(), 8));
    const set = Number(text);
    ortThreadsNote = undefined;
    if (text === '') return cores;
    if (!Number.isInteger(set) || set < 1) {
        ortThreadsNote = `SPADE_ORT_THREADS is '${text}', not a whole number of at least 1, so it is ignored`;
        return cores;
    }
    if (set > 8) ortThreadsNote = `SPADE_ORT_THREADS=${set} is capped at 8`;
    else if (set > os.availableParallelism())
        ortThreadsNote = `SPADE_ORT_THREADS=${set} is more than the cores this process may use`;
    return Math.min(set, 8);
}

async function tryWasm(): Promise<BackendProbe> {
    const backend: BackendName = 'wasm';
    try {
        const wasm = dynRequire(PKGS.wasm) as typeof WasmBackend;
        if (!wasmPathsSet) {
            // In Node the .wasm files are read from the package's dist folder.
            const dist = path.join(
                path.dirname(dynRequire.resolve(`${PKGS.wasm}/package.json`)),
                'dist',
            );
            wasm.setWasmPaths(dist + path.sep);
            wasmPathsSet = true;
        }
        const starting = tf.findBackend('wasm') === null;
        const choice = wasmThreadsChoice(process.env, preferredThreads);
        if (starting) wasmThreadsFrom = choice;
        if (starting && choice.threads > 1 && (await startThreadedWasm(wasm, choice.threads))) {
            await startOrtKernels();
            return { backend, pkg: PKGS.wasm, ok: true };
        }
        const ok = await withoutRethrowingHandlers(() => tf.setBackend('wasm'));
        if (!ok) throw new Error('the wasm backend did not initialise');
        await startOrtKernels();
        return { backend, pkg: PKGS.wasm, ok: true };
    } catch (e) {
        return failure(backend, e);
    }
}

async function tryCpu(): Promise<BackendProbe> {
    const ok = await tf.setBackend('cpu');
    return ok
        ? { backend: 'cpu', pkg: PKGS.cpu, ok }
        : { backend: 'cpu', pkg: PKGS.cpu, ok, reason: 'the cpu backend did not initialise' };
}

const TRIERS: Record<BackendName, () => Promise<BackendProbe>> = {
    'tensorflow-gpu': () => tryNative('tensorflow-gpu'),
    tensorflow: () => tryNative('tensorflow'),
    wasm: tryWasm,
    cpu: tryCpu,
};

function candidates(device: Device): BackendName[] {
    if (device === 'gpu') return ['tensorflow-gpu'];
    if (device === 'cpu') return ['tensorflow', 'wasm', 'cpu'];
    return ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
}

function report(device: Device, chosen: BackendName, probes: BackendProbe[]): BackendReport {
    const active = tf.getBackend();
    const out: BackendReport = {
        active,
        chosen,
        device,
        probes,
        gpuRequirements: GPU_REQUIREMENTS,
    };
    if (active === 'wasm') {
        const wasm = dynRequire(PKGS.wasm) as typeof WasmBackend;
        out.threads = wasm.getThreadsCount();
        if (wasmThreadsNote) out.threadsNote = wasmThreadsNote;
        if (wasmThreadsFrom) out.threadsSource = wasmThreadsFrom.source;
        if (wasmThreadsFrom?.warning) out.threadsWarning = wasmThreadsFrom.warning;
        const gemm = ortKernelEngine();
        const threads = gemm ? `${gemm.threads} thread${gemm.threads === 1 ? '' : 's'}` : '';
        const note = ortThreadsNote ? `; ${ortThreadsNote}` : '';
        out.kernels = gemm
            ? `matMul and convolutions on onnxruntime's CPU kernels (${threads}; ` +
              `SPADE_ORT_KERNELS=0 turns them off${note})`
            : (ortKernelsNote ?? "wasm's own");
    }
    return out;
}

/**
 * Activates the first backend that loads for `device` and reports every attempt. With
 * device `gpu` and no loadable tfjs-node-gpu it throws, naming the reason and what to install.
 */
export async function initBackend(
    device: Device = 'auto',
    opts: { wasmThreads?: number } = {},
): Promise<BackendReport> {
    preferredThreads = opts.wasmThreads;
    const probes: BackendProbe[] = [];
    for (const name of candidates(device)) {
        const p = await TRIERS[name]();
        probes.push(p);
        if (p.ok) return report(device, name, probes);
    }
    const why = probes.map((p) => `${p.backend}: ${p.reason}`).join('; ');
    throw new Error(
        `device '${device}': no backend could be loaded (${why}). ${GPU_REQUIREMENTS}.`,
    );
}

/** Activates one named backend (tests and benchmarks); throws with the reason when it cannot. */
export async function useBackend(name: BackendName): Promise<BackendReport> {
    const p = await TRIERS[name]();
    if (!p.ok) throw new Error(`backend ${name} (${p.pkg}): ${p.reason}`);
    return report(name === 'tensorflow-gpu' ? 'gpu' : 'cpu', name, [p]);
}

/**
 * The `doctor` report: tries every backend (not only up to the first that loads), then leaves
 * active the one `initBackend(device)` would choose. Never throws.
 */
export async function doctor(device: Device = 'auto'): Promise<BackendReport> {
    const probes: BackendProbe[] = [];
    for (const name of ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as BackendName[]) {
        probes.push(await TRIERS[name]());
    }
    const chosen = candidates(device).find((n) => probes.find((p) => p.backend === n)?.ok);
    if (chosen === undefined) {
        return {
            active: tf.getBackend() ?? 'none',
            chosen: 'cpu',
            device,
            probes,
            gpuRequirements: GPU_REQUIREMENTS,
        };
    }
    await TRIERS[chosen]();
    return report(device, chosen, probes);
}

/**
 * Whether the report's chosen backend loaded and serves its device; doctor() names 'cpu' as
 * chosen even when nothing loaded (device gpu without tfjs-node-gpu included).
 */
export function reportUsable(r: BackendReport): boolean {
    return (
        candidates(r.device).includes(r.chosen) &&
        r.probes.some((p) => p.ok && p.backend === r.chosen)
    );
}

/** The report as lines of text for the CLI and the palette. */
export function formatReport(r: BackendReport): string {
    const lines: string[] = [];
    if (reportUsable(r)) {
        lines.push(`device ${r.device}: using ${r.chosen} (tfjs backend '${r.active}')`);
    } else {
        const tried = r.probes.filter((p) => candidates(r.device).includes(p.backend));
        const why = tried.map((p) => `${p.backend}: ${p.reason}`).join('; ');
        lines.push(
            `device ${r.device}: no backend for device ${r.device} loaded (${why}). ` +
                (r.device === 'gpu'
                    ? `To use the GPU: ${GPU_REQUIREMENTS}; or run with --device auto.`
                    : 'Reinstall the package: npm install @tensorflow/tfjs-backend-wasm.'),
        );
    }
    if (r.threads !== undefined) {
        const why = [r.threadsSource, r.threadsNote].filter((x) => x !== undefined).join('; ');
        lines.push(`wasm threads: ${r.threads}${why ? ` (${why})` : ''}`);
        if (r.threadsWarning) lines.push(`  note: ${r.threadsWarning}`);
    }
    if (r.kernels !== undefined) lines.push(`wasm matrix kernels: ${r.kernels}`);
    for (const p of r.probes)
        lines.push(
            `  ${p.ok ? 'ok  ' : 'no  '} ${p.backend} (${p.pkg})${p.ok ? '' : `: ${p.reason}`}`,
        );
    lines.push(`GPU: ${r.gpuRequirements}`);
    return lines.join('\n');
}
