/** `spade doctor`: the backend report and the native versions, on this machine. */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { doctorCommand } from '../../server/src/cli/doctor-command';
import { captureIO } from './helpers';

describe('spade doctor (CLI)', function () {
    this.timeout(30000);

    it('reports the wasm backend as working and why the native ones did not load', async () => {
        const io = captureIO(os.tmpdir());
        const code = await doctorCommand.run([], io);
        assert.equal(code, 0, io.err_.join('\n'));
        const text = io.out_.join('\n');
        assert.match(text, /^device auto: using \S+ \(tfjs backend '\S+'\)/);
        assert.match(text, /\n {2}ok {3}wasm \(@tensorflow\/tfjs-backend-wasm\)/);
        // The thread count says where it came from.
        if (/\nwasm threads:/.test(text))
            assert.match(
                text,
                /\nwasm threads: \d+ \((the cores|SPADE_WASM_THREADS=\d+|the trainer)/,
            );
        // Every backend is listed, with a reason when it did not load.
        for (const b of ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']) {
            assert.match(text, new RegExp(`\\n {2}(ok {3}|no {3})${b} \\(`));
        }
        assert.doesNotMatch(text, /\n {2}no {3}\S+ \([^)]+\)$/m, 'a failed backend without reason');
        assert.match(text, /\nonnxruntime-node \d+\.\d+\.\d+: execution providers cpu/);
        assert.match(text, /\nsharp \d+\.\d+\.\d+, libvips \d+\.\d+/);
    });

    it('--device cpu never picks the GPU; gpu fails without tfjs-node-gpu; a bad device is exit 2', async () => {
        let io = captureIO(os.tmpdir());
        assert.equal(await doctorCommand.run(['--device', 'cpu'], io), 0);
        assert.match(io.out_[0], /^device cpu: using (tensorflow|wasm|cpu) /);
        io = captureIO(os.tmpdir());
        const gpuCode = await doctorCommand.run(['--device', 'gpu'], io);
        const gpuOk = /\n {2}ok {3}tensorflow-gpu /.test(io.out_.join('\n'));
        assert.equal(gpuCode, gpuOk ? 0 : 1);
        if (!gpuOk) {
            assert.match(io.err_.join('\n'), /no tfjs backend works for device 'gpu'/);
            // The first line must not claim a backend is in use when the command fails.
            assert.match(
                io.out_[0],
                /^device gpu: no backend for device gpu loaded \(tensorflow-gpu: /,
            );
            assert.match(io.out_[0], /npm install @tensorflow\/tfjs-node-gpu/);
        }
        io = captureIO(os.tmpdir());
        assert.equal(await doctorCommand.run(['--device', 'tpu'], io), 2);
        assert.match(io.err_.join('\n'), /--device is 'tpu'; use auto, gpu or cpu/);
        assert.match(io.err_.join('\n'), /usage: spade doctor/);
    });

    it('stops quietly when the reader goes away (spade doctor | head -1)', async function () {
        const root = path.resolve(__dirname, '..', '..');
        const main = path.join(root, 'server', 'src', 'cli', 'main.ts');
        const child = spawn(process.execPath, ['--require', 'tsx/cjs', main, 'doctor'], {
            cwd: root,
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        // The reader gone before the report is written (as `head -1` is after its line).
        child.stdout.destroy();
        const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
        assert.equal(code, 0, err);
        assert.doesNotMatch(err, /EPIPE|at .*\(/);
    });
});
