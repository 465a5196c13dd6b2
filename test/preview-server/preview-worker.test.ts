/**
 * The preview's synthesis worker behind the language server, over stdio: it is its own
 * process, the server answers other requests while it is busy, a killed worker costs only the
 * request in flight, it ends with the server, and a style image goes through the model's
 * exported encoder. The worker is held busy through its test hook (SPADE_TEST_SYNTH_HOLD).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { decodeIds } from '../../client/src/preview/codec';
import { readStyleImage } from '../../server/src/cli/style-source';
import { exportEncoder } from '../../server/src/engine/onnx/encoder-export';
import type { ExportEncoderOptions } from '../../server/src/engine/onnx/encoder-export';
import { EncoderSession, styleZ } from '../../server/src/engine/onnx/encoder-session';
import { randomEncoderState } from '../../server/src/engine/onnx/random-state';
import { GeneratorSession } from '../../server/src/engine/onnx/session';
import type { ReadMaskResult, SynthesizeResult } from '../../server/src/protocol/preview';
import { ReadMaskRequest, SynthesizeRequest } from '../../server/src/protocol/preview';
import { SYNTH_HOLD_ENV } from '../../server/src/protocol/synthesis-worker';
import { repoRoot } from '../support/shared';
import { PreviewServer, failure, modelOptions, uri, writeRandomModel } from './fixtures';

const SCENE = path.join(repoRoot, 'samples', 'scenes', 'masks', 'scene_00000.png');
const STYLE = path.join(repoRoot, 'samples', 'scenes', 'images', 'scene_00002.jpg');
const REQUEST_FAILED = -32803;

/** Whether a process is gone (a zombie counts: it runs no more code). */
function gone(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch {
        return true;
    }
    try {
        return / Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ''));
    } catch {
        return true;
    }
}

async function until(what: string, cond: () => boolean, ms = 15000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
    }
}

describe('preview synthesis worker over LSP stdio', function () {
    this.timeout(60000);
    const server = new PreviewServer();
    let tmp: string;
    let hold: string;
    let model: string;
    let styleModel: string;
    let mask: ReadMaskResult;

    /** Worker pids in the order the server logged their start. */
    const workerPids = (): number[] =>
        server.logs.flatMap((l) => {
            const m = /synthesis worker started \(pid (\d+)\)/.exec(l);
            return m ? [Number(m[1])] : [];
        });
    const holdLogged = (from: number) => () =>
        server.logs.slice(from).some((l) => l.includes('test hold: synthesis waits'));
    const synthesize = (over: Record<string, unknown> = {}) =>
        server.conn.sendRequest<SynthesizeResult>(SynthesizeRequest.method, {
            maskUri: uri(SCENE),
            ids: mask.ids,
            model: { kind: 'onnx', uri: uri(model) },
            seed: 0,
            samples: 1,
            ...over,
        });

    before(async function () {
        this.timeout(120000);
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-preview-worker-'));
        hold = path.join(tmp, 'hold');
        model = writeRandomModel(path.join(tmp, 'scenes9.onnx'), modelOptions(tmp, 9));
        styleModel = writeRandomModel(path.join(tmp, 'style.onnx'), modelOptions(tmp, 9, 8));
        const enc: ExportEncoderOptions = { norm: 'instance', ngf: 4, cropSize: 256, zDim: 8 };
        fs.writeFileSync(
            path.join(tmp, 'style.encoder.onnx'),
            exportEncoder(randomEncoderState(enc, 12), enc).bytes,
        );
        await server.start({ [SYNTH_HOLD_ENV]: hold });
        mask = await server.conn.sendRequest<ReadMaskResult>(ReadMaskRequest.method, {
            uri: uri(SCENE),
        });
    });

    after(() => {
        server.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('synthesizes in a worker process of its own', async () => {
        const r = await synthesize();
        assert.equal(r.images.length, 1);
        const pids = workerPids();
        assert.equal(pids.length, 1, `one worker started: ${server.logs.join(' | ')}`);
        assert.notEqual(pids[0], server.pid, 'not the server process');
        assert.ok(!gone(pids[0]), 'the worker stays up for the next request');
    });

    it('answers other requests while a synthesis holds the worker', async () => {
        fs.writeFileSync(hold, '');
        const from = server.logs.length;
        let settled = false;
        const busy = synthesize({ seed: 3 }).finally(() => (settled = true));
        try {
            await until('the worker to hold', holdLogged(from));
            const t0 = performance.now();
            const read = await server.conn.sendRequest<ReadMaskResult>(ReadMaskRequest.method, {
                uri: uri(SCENE),
            });
            assert.equal(read.ids.width, mask.ids.width);
            assert.equal(settled, false, 'the synthesis was still in flight');
            assert.ok(performance.now() - t0 < 5000, 'answered promptly');
        } finally {
            fs.rmSync(hold, { force: true });
        }
        const r = await busy;
        assert.equal(r.images.length, 1, 'the held synthesis completes once released');
    });

    it('a killed worker fails only its request; the next one starts a new worker', async () => {
        await synthesize();
        const [pid] = workerPids().slice(-1);
        fs.writeFileSync(hold, '');
        const from = server.logs.length;
        const doomed = failure(synthesize({ seed: 9 }));
        try {
            await until('the worker to hold', holdLogged(from));
            process.kill(pid, 'SIGKILL');
            const e = await doomed;
            assert.equal(e.code, REQUEST_FAILED);
            assert.match(
                e.message,
                /The synthesis worker stopped unexpectedly \(killed by SIGKILL\) while synthesizing scene_00000\.png\. The next request starts a new worker/,
            );
        } finally {
            fs.rmSync(hold, { force: true });
        }
        const r = await synthesize({ seed: 9 });
        const png = await sharp(Buffer.from(r.images[0].png, 'base64')).metadata();
        assert.deepEqual([png.width, png.height], [64, 64]);
        const pids = workerPids();
        assert.notEqual(pids[pids.length - 1], pid, 'a new worker');
        assert.ok(server.alive, 'the server survived');
    });

    it('encodes a style image with the model encoder: z = mu + eps(seed + k) * std', async () => {
        const styled = await synthesize({
            model: { kind: 'onnx', uri: uri(styleModel) },
            styleUri: uri(STYLE),
            seed: 4,
            samples: 2,
        });
        assert.equal(styled.images.length, 2);
        // The same computation here, from the files: the image must match byte for byte.
        const enc = await EncoderSession.load(
            fs.readFileSync(path.join(tmp, 'style.encoder.onnx')),
            'encoder',
        );
        const gen = await GeneratorSession.load(styleModel);
        try {
            const code = await enc.encode(await readStyleImage(STYLE, 64, 64));
            const { width, height } = mask.ids;
            const labels = { ids: decodeIds(mask.ids), width, height };
            const want = await gen.synthesize(
                [4, 5].map((seed) => ({ labels, z: styleZ(code, seed) })),
            );
            const plain = await gen.synthesizeOne({ labels, seed: 4 });
            for (const k of [0, 1]) {
                const got = await sharp(Buffer.from(styled.images[k].png, 'base64'))
                    .raw()
                    .toBuffer();
                assert.deepEqual(got, Buffer.from(want[k].rgb), `sample ${k}`);
            }
            const got0 = await sharp(Buffer.from(styled.images[0].png, 'base64')).raw().toBuffer();
            assert.notDeepEqual(got0, Buffer.from(plain.rgb), 'the style image matters');
        } finally {
            await enc.release();
            await gen.release();
        }
    });

    it('refuses a style image for a model without an encoder file, saying what to do', async () => {
        const lone = path.join(tmp, 'lone.onnx');
        fs.copyFileSync(styleModel, lone);
        const e = await failure(
            synthesize({ model: { kind: 'onnx', uri: uri(lone) }, styleUri: uri(STYLE) }),
        );
        assert.equal(e.code, REQUEST_FAILED);
        assert.match(
            e.message,
            /scene_00000\.png: the style image scene_00002\.jpg cannot be used: the model lone\.onnx has no style encoder beside it \(lone\.encoder\.onnx\); export the run again .*Clear the style image/,
        );
    });

    it('the worker ends with the server', async () => {
        const [pid] = workerPids().slice(-1);
        assert.ok(!gone(pid));
        await server.conn.sendRequest('shutdown');
        await server.conn.sendNotification('exit');
        await until('the worker to end', () => gone(pid));
    });
});
