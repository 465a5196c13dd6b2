/**
 * Two XNNPACK threads for the wasm backend in Node. tfjs-backend-wasm 4.22 switches threads off
 * whenever it runs in Node (its flag returns false there) and, were they on, would still fail:
 * it hands Emscripten a Blob URL for the pthread worker script, which Node's Worker cannot load,
 * and the C++ side caps the pool at half of `os.cpus().length` (1 on a 2-vCPU machine). The
 * package ships the threaded binary and a Node-aware worker script, so three small interventions
 * are enough, each undone or checked afterwards:
 *
 * - the flag `WASM_HAS_MULTITHREAD_SUPPORT` is set to true before the backend starts;
 * - `URL.createObjectURL` answers the worker's JavaScript Blob with a file holding the package's
 *   own worker script, preceded by a few lines that make the worker load the threaded glue from
 *   its file instead of from the Blob the main thread posts;
 * - `os.cpus()` reports twice the cores while the backend starts, so the cap is the core count.
 *
 * Measured on the project machine (perf-baseline §5.3 and docs/engine.md): a conv runs ~1.8x
 * faster with 2 threads; the pool pre-spawns 8 workers (+~140 MB RSS). The workers are unref'd
 * so that they never keep a process alive. Whoever calls this must fall back to one thread when
 * it reports failure: the package's internals may change with its version (pinned to 4.22.0).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import type * as NodeOs from 'node:os';
import type { CpuInfo } from 'node:os';
import * as path from 'node:path';

const load = createRequire(__filename);
// The module object itself (an ES namespace is read-only): the glue calls require('os').cpus().
const os = load('node:os') as typeof NodeOs;

/** The result of enabling threads, for the doctor report. */
export interface WasmThreadsSetup {
    /** Restores `os.cpus` (call once the backend has started). */
    restore(): void;
}

/** Run inside the worker before the package's own script: load the glue by path, not by Blob. */
function workerPrelude(glue: string): string {
    return [
        '"use strict";',
        `const SPADE_GLUE = ${JSON.stringify(glue)};`,
        // The main thread posts the glue as a Blob; the package's worker turns it into an object
        // URL and reads that as a file. Give it the glue's path instead.
        'URL.createObjectURL = () => SPADE_GLUE;',
        'URL.revokeObjectURL = () => {};',
        '',
    ].join('\n');
}

/** Prepares the process for the threaded wasm backend; call right before `setBackend('wasm')`. */
export function prepareWasmThreads(
    tfEnv: { set(flag: string, value: boolean): void },
    wasmPackageDir: string,
    threads: number,
): WasmThreadsSetup {
    const out = path.join(wasmPackageDir, 'wasm-out');
    const glue = path.join(out, 'tfjs-backend-wasm-threaded-simd.js');
    const worker = path.join(out, 'tfjs-backend-wasm-threaded-simd.worker.js');
    // The worker file exports its source as a string (`module.exports.wasmWorkerContents`).
    const exported = (load(worker) as { wasmWorkerContents?: unknown }).wasmWorkerContents;
    if (typeof exported !== 'string' || !fs.existsSync(glue))
        throw new Error(
            `tfjs-backend-wasm's threaded files are not where 4.22.0 has them (${out})`,
        );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-wasm-'));
    const script = path.join(dir, 'worker.js');
    // As the backend does for its Blob: the source holds a raw newline inside a string literal.
    fs.writeFileSync(script, workerPrelude(glue) + exported.replace(/\n/g, '\\n'));
    // The workers read the file only while they start; it can go when the process does.
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

    const createObjectURL = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (obj: Blob | MediaSource): string =>
        obj instanceof Blob && obj.type === 'application/javascript'
            ? script
            : createObjectURL(obj);

    const cpus = os.cpus;
    const real = cpus.call(os);
    // The pool is capped at cpus/2: report 2 x threads entries while the backend starts.
    const reported = Array.from(
        { length: Math.max(2 * threads, 1) },
        (_, i) => real[i % real.length],
    );
    (os as { cpus: () => CpuInfo[] }).cpus = () => reported;
    tfEnv.set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    return {
        restore() {
            (os as { cpus: () => CpuInfo[] }).cpus = cpus;
        },
    };
}

/** Lets the process exit while the pool's workers are idle (they would keep it alive). */
export function unrefWasmWorkers(module: unknown): number {
    const pt = (
        module as {
            PThread?: {
                unusedWorkers?: unknown[];
                runningWorkers?: unknown[];
                pthreads?: Record<string, unknown>;
            };
        }
    ).PThread;
    if (!pt) return 0;
    const all = [
        ...(pt.unusedWorkers ?? []),
        ...(pt.runningWorkers ?? []),
        ...Object.values(pt.pthreads ?? {}),
    ];
    let n = 0;
    for (const w of new Set(all)) {
        const u = (w as { unref?: () => void }).unref;
        if (typeof u === 'function') {
            u.call(w);
            n++;
        }
    }
    return n;
}
