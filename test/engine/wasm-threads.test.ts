/**
 * The threaded wasm backend in Node (engine/wasm-threads.ts): started with the threads asked
 * for, equal results to one thread, a process that exits on its own, and a clear fallback.
 * Each case runs in a child process: a backend starts once per process.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareWasmThreads } from '../../server/src/engine/wasm-threads';

const root = path.resolve(__dirname, '..', '..');

/** Starts wasm in a fresh process; prints threads, the doctor line and a conv's checksum. */
const SCRIPT = `
const tf = require('@tensorflow/tfjs');
const { useBackend, formatReport } = require('./server/src/engine/backend');
(async () => {
    const r = await useBackend('wasm');
    const x = tf.tensor4d(Float32Array.from({ length: 2 * 20 * 20 * 16 }, (_, i) => Math.sin(i)), [2, 20, 20, 16]);
    const w = tf.tensor4d(Float32Array.from({ length: 3 * 3 * 16 * 32 }, (_, i) => Math.cos(i)), [3, 3, 16, 32]);
    const y = tf.conv2d(x, w, 1, 'same').dataSync();
    console.log(JSON.stringify({ threads: r.threads, note: r.threadsNote ?? null, report: formatReport(r), y: Array.from(y.slice(0, 64)) }));
})();
`;

function run(env: Record<string, string>): { out: ReturnType<typeof JSON.parse>; ms: number } {
    const t0 = Date.now();
    const res = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', SCRIPT], {
        cwd: root,
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 60000,
    });
    assert.equal(res.status, 0, `exit ${res.status} ${res.signal ?? ''}: ${res.stderr}`);
    const line = res.stdout.trim().split('\n').pop() ?? '';
    return { out: JSON.parse(line), ms: Date.now() - t0 };
}

describe('engine: wasm threads in Node', function () {
    this.timeout(120000);

    it('starts with the threads asked for, equals one thread, and lets the process exit', function () {
        const one = run({ SPADE_WASM_THREADS: '1' });
        assert.equal(one.out.threads, 1);
        const two = run({ SPADE_WASM_THREADS: '2' });
        // The child exited by itself (spawnSync returned with status 0 before its timeout).
        assert.equal(two.out.threads, 2, `doctor: ${two.out.report}`);
        assert.equal(two.out.note, null);
        assert.match(two.out.report, /wasm threads: 2/);
        const maxDiff = Math.max(
            ...one.out.y.map((v: number, i: number) => Math.abs(v - two.out.y[i])),
        );
        assert.ok(maxDiff < 1e-4, `threaded conv differs by ${maxDiff}`);
    });

    it("runs matrix kernels on onnxruntime, on wasm's own with SPADE_ORT_KERNELS=0; equal", function () {
        const ort = run({ SPADE_WASM_THREADS: '1' });
        const own = run({ SPADE_WASM_THREADS: '1', SPADE_ORT_KERNELS: '0' });
        assert.match(ort.out.report, /wasm matrix kernels: matMul and convolutions on onnxruntime/);
        assert.match(own.out.report, /wasm matrix kernels: wasm's own \(SPADE_ORT_KERNELS=0\)/);
        const maxDiff = Math.max(
            ...ort.out.y.map((v: number, i: number) => Math.abs(v - own.out.y[i])),
        );
        assert.ok(maxDiff < 1e-4, `onnxruntime's conv differs from wasm's by ${maxDiff}`);
    });

    it("keeps wasm's own kernels, and says why, when onnxruntime-node does not load", function () {
        // The package's native library missing, as a failed install leaves it.
        const noOrt = `
const Module = require('module');
const load = Module._load;
Module._load = function (request, ...rest) {
    if (request.startsWith('onnxruntime-node')) throw new Error('simulated: cannot open onnxruntime_binding.node');
    return load.call(this, request, ...rest);
};
`;
        const res = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', noOrt + SCRIPT], {
            cwd: root,
            env: { ...process.env, SPADE_WASM_THREADS: '1' },
            encoding: 'utf8',
            timeout: 60000,
        });
        assert.equal(res.status, 0, `exit ${res.status}: ${res.stderr}`);
        const out = JSON.parse(res.stdout.trim().split('\n').pop() ?? '{}') as {
            report: string;
            y: number[];
        };
        assert.match(
            out.report,
            /wasm matrix kernels: wasm's own: onnxruntime did not start \(simulated/,
        );
        const own = run({ SPADE_WASM_THREADS: '1', SPADE_ORT_KERNELS: '0' });
        const maxDiff = Math.max(...out.y.map((v, i) => Math.abs(v - (own.out.y[i] as number))));
        assert.ok(maxDiff === 0, `wasm's own conv differs by ${maxDiff}`);
    });

    it("says what is wrong when the package's threaded files are not where expected", function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-nowasm-'));
        try {
            assert.throws(
                () => prepareWasmThreads({ set: () => undefined }, dir, 2),
                /threaded files|Cannot find module/,
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
