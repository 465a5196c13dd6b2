/**
 * Backend selection, the doctor report, and the safetensors reader/writer.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
    GPU_REQUIREMENTS,
    doctor,
    formatReport,
    initBackend,
    missingLibraryOf,
    wantedWasmThreads,
    wasmThreadsOrigin,
    type BackendReport,
} from '../../server/src/engine/backend';
import {
    parseSafetensors,
    readSafetensors,
    serializeSafetensors,
    writeSafetensors,
    type SafeTensor,
} from '../../server/src/engine/safetensors';
import { testBackend } from './helpers';

function installed(pkg: string): boolean {
    try {
        require.resolve(`${pkg}/package.json`);
        return true;
    } catch {
        return false;
    }
}

describe('engine backend and doctor', function () {
    this.timeout(60000);
    after(testBackend);

    it('reports every backend, with the missing package named', async function () {
        const r = await doctor('auto');
        assert.deepEqual(
            r.probes.map((p) => p.backend),
            ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'],
        );
        for (const p of r.probes) {
            if (!p.ok && !installed(p.pkg))
                assert.match(p.reason ?? '', new RegExp(`package ${p.pkg} is not installed`));
        }
        const first = r.probes.find((p) => p.ok)!;
        assert.equal(r.chosen, first.backend);
        assert.match(r.gpuRequirements, /CUDA Toolkit 11\.2 and cuDNN 8\.1/);
        assert.match(formatReport(r), /using /);
    });

    it('device cpu never picks tfjs-node-gpu; device gpu fails with the reason when it is absent', async function () {
        const r = await initBackend('cpu');
        assert.notEqual(r.chosen, 'tensorflow-gpu');
        assert.equal(tf.getBackend(), r.active);
        if (!installed('@tensorflow/tfjs-node-gpu')) {
            await assert.rejects(
                initBackend('gpu'),
                /tfjs-node-gpu is not installed.*CUDA Toolkit 11\.2/,
            );
        }
    });

    it('device gpu with no GPU backend says so first, with the reason and what to install', function () {
        const r: BackendReport = {
            active: 'cpu',
            chosen: 'cpu',
            device: 'gpu',
            probes: [
                {
                    backend: 'tensorflow-gpu',
                    pkg: '@tensorflow/tfjs-node-gpu',
                    ok: false,
                    reason: 'the loader could not open the shared library libcudart.so.11.0',
                },
                { backend: 'cpu', pkg: '@tensorflow/tfjs', ok: true },
            ],
            gpuRequirements: GPU_REQUIREMENTS,
        };
        const first = formatReport(r).split('\n')[0];
        assert.doesNotMatch(first, /using/);
        assert.match(
            first,
            /^device gpu: no backend for device gpu loaded \(tensorflow-gpu: .*libcudart/,
        );
        assert.ok(first.includes(GPU_REQUIREMENTS), first);
        // With the GPU backend loaded, the first line says it is used.
        r.chosen = 'tensorflow-gpu';
        r.probes[0] = { backend: 'tensorflow-gpu', pkg: '@tensorflow/tfjs-node-gpu', ok: true };
        assert.match(formatReport(r), /^device gpu: using tensorflow-gpu/);
    });

    it('says where the wasm thread count came from, and warns about SPADE_WASM_THREADS', function () {
        const origin = (v: string | undefined, cores = 2, preferred?: number) =>
            wasmThreadsOrigin(v === undefined ? {} : { SPADE_WASM_THREADS: v }, preferred, cores);
        assert.deepEqual(origin(undefined), {
            source: 'the cores; SPADE_WASM_THREADS overrides; training uses 1 while onnxruntime runs the matrix kernels',
        });
        assert.deepEqual(origin(''), origin(undefined));
        assert.match(origin(undefined, 2, 1).source, /one thread/);
        assert.deepEqual(origin('2'), { source: 'SPADE_WASM_THREADS=2' });
        assert.match(origin('3').warning!, /SPADE_WASM_THREADS=3 is more than the 2 cores/);
        const many = origin('12', 16);
        assert.equal(many.source, 'SPADE_WASM_THREADS=12');
        assert.match(many.warning!, /capped at 8/);
        assert.doesNotMatch(many.warning!, /cores/);
        for (const bad of ['0', '-2', 'abc', '1.5']) {
            const o = origin(bad);
            assert.match(o.source, /^the cores/, bad);
            assert.match(o.warning!, new RegExp(`'${bad}', not a whole number .* ignored`), bad);
            // The count itself is unchanged: an invalid value is ignored as before.
            assert.equal(
                wantedWasmThreads({ SPADE_WASM_THREADS: bad }, 3),
                wantedWasmThreads({}, 3),
            );
        }
        const r: BackendReport = {
            active: 'wasm',
            chosen: 'wasm',
            device: 'auto',
            probes: [{ backend: 'wasm', pkg: '@tensorflow/tfjs-backend-wasm', ok: true }],
            gpuRequirements: GPU_REQUIREMENTS,
            threads: 8,
            threadsSource: many.source,
            threadsWarning: many.warning,
        };
        assert.match(
            formatReport(r),
            /\nwasm threads: 8 \(SPADE_WASM_THREADS=12\)\n {2}note: .*capped at 8/,
        );
    });

    it('names the shared library a loader could not open', function () {
        assert.equal(
            missingLibraryOf(
                'libcudart.so.11.0: cannot open shared object file: No such file or directory',
            ),
            'libcudart.so.11.0',
        );
        assert.equal(
            missingLibraryOf('Error: tensorflow.dll could not be found'),
            'tensorflow.dll',
        );
        assert.equal(missingLibraryOf('some other failure'), undefined);
    });
});

describe('engine backend process hygiene', function () {
    this.timeout(60000);

    it('leaves no rethrowing process handlers behind when the wasm backend starts', function () {
        // A fresh process: the wasm glue installs its handlers only the first time it loads.
        const script = `
            const { initBackend } = require('./server/src/engine/backend');
            const count = () => process.listeners('unhandledRejection').length +
                process.listeners('uncaughtException').length;
            const before = count();
            initBackend('cpu').then((r) => {
                process.stdout.write(JSON.stringify({ active: r.active, before, after: count() }));
            });`;
        const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], {
            cwd: path.resolve(__dirname, '..', '..'),
            encoding: 'utf8',
        });
        const r = JSON.parse(out) as { active: string; before: number; after: number };
        assert.equal(r.active, 'wasm');
        assert.equal(r.after, r.before);
    });
});

describe('engine safetensors', function () {
    it('round-trips F32, I64 and U8 with metadata, 8-byte aligned', function () {
        const tensors = new Map<string, SafeTensor>([
            ['a', { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, -6.5]) }],
            ['b', { dtype: 'I64', shape: [2], data: BigInt64Array.from([7n, -1n]) }],
            ['c', { dtype: 'U8', shape: [3], data: Uint8Array.from([0, 1, 255]) }],
            ['s', { dtype: 'F32', shape: [], data: Float32Array.of(3) }],
        ]);
        const buf = serializeSafetensors(tensors, { note: 'x' });
        const hlen = Number(buf.readBigUInt64LE(0));
        assert.equal((8 + hlen) % 8, 0);
        const back = parseSafetensors(buf);
        assert.equal(back.metadata.note, 'x');
        for (const [k, t] of tensors) {
            assert.deepEqual(back.tensors.get(k)!.shape, t.shape);
            assert.deepEqual(
                Array.from(back.tensors.get(k)!.data as ArrayLike<number | bigint>),
                Array.from(t.data as ArrayLike<number | bigint>),
            );
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-st-'));
        const file = path.join(dir, 'x.safetensors');
        writeSafetensors(file, tensors);
        assert.deepEqual(fs.readdirSync(dir), ['x.safetensors']);
        assert.equal(readSafetensors(file).tensors.size, 4);
        fs.rmSync(dir, { recursive: true });
    });

    it('rejects truncated or malformed files with the source named', function () {
        assert.throws(
            () => parseSafetensors(new Uint8Array(4), 'm.safetensors'),
            /m\.safetensors: shorter/,
        );
        const buf = serializeSafetensors(
            new Map([['a', { dtype: 'F32', shape: [4], data: new Float32Array(4) }]]),
        );
        assert.throws(
            () => parseSafetensors(buf.subarray(0, buf.length - 4), 'm.safetensors'),
            /outside the file/,
        );
    });
});
