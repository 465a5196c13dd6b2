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
    doctor,
    formatReport,
    initBackend,
    missingLibraryOf,
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
