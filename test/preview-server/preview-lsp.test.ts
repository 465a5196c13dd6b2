/**
 * The language server's `spade/preview/*` requests over stdio: masks read and written back in
 * their own format, model info and synthesis from each model kind (an exported .onnx file, a
 * run folder's checkpoint), the mismatch and missing-model errors, and cancellation.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { decodeIds, encodeIds } from '../../client/src/preview/codec';
import type {
    MaskFormat,
    ModelInfoResult,
    ReadMaskResult,
    SynthesizeResult,
    WriteMaskResult,
} from '../../server/src/protocol/preview';
import {
    ModelInfoRequest,
    ReadMaskRequest,
    SynthesizeRequest,
    WriteMaskRequest,
} from '../../server/src/protocol/preview';
import { repoRoot, requireShared } from '../support/shared';
import { PreviewServer, failure, modelOptions, uri, writeRandomModel, writeRun } from './fixtures';

const SCENE = path.join(repoRoot, 'samples', 'scenes', 'masks', 'scene_00000.png');
const REQUEST_FAILED = -32803;
const REQUEST_CANCELLED = -32800;

describe('preview requests over LSP stdio', function () {
    this.timeout(30000);
    const server = new PreviewServer();
    let tmp: string;
    let model9: string;
    let styleModel: string;
    let run: string;

    const read = (file: string) =>
        server.conn.sendRequest<ReadMaskResult>(ReadMaskRequest.method, { uri: uri(file) });
    const write = (
        file: string,
        ids: Uint8Array | Uint16Array,
        w: number,
        h: number,
        format: MaskFormat,
    ) =>
        server.conn.sendRequest<WriteMaskResult>(WriteMaskRequest.method, {
            uri: uri(file),
            ids: encodeIds(ids, w, h),
            format,
        });

    before(async function () {
        this.timeout(120000);
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-preview-lsp-'));
        model9 = writeRandomModel(path.join(tmp, 'scenes9.onnx'), modelOptions(tmp, 9));
        // Class names beside the .onnx file travel with the model.
        fs.copyFileSync(
            path.join(path.dirname(path.dirname(SCENE)), 'classes.json'),
            path.join(tmp, 'classes.json'),
        );
        styleModel = writeRandomModel(path.join(tmp, 'style.onnx'), modelOptions(tmp, 9, 8));
        run = path.join(tmp, 'run');
        await writeRun(run, modelOptions(run, 9), 40);
        // A default model that does not exist, whatever the repository holds today.
        await server.start({ SPADE_DEFAULT_MODEL: path.join(tmp, 'no-default', 'generator.onnx') });
    });

    after(() => {
        server.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('reads a COCO-Stuff mask: size, every id, the dataset class names', async function () {
        const file = requireShared(this, 'data', 'coco_stuff', 'val_label', '000000000139.png');
        const expected = await sharp(file)
            .extractChannel(0)
            .raw()
            .toBuffer({ resolveWithObject: true });
        const r = await read(file);
        assert.deepEqual(r.format, { kind: 'gray', bitDepth: 8 });
        assert.equal(r.ids.width, expected.info.width);
        assert.equal(r.ids.height, expected.info.height);
        const ids = decodeIds(r.ids);
        assert.ok(ids instanceof Uint8Array);
        assert.deepEqual(Buffer.from(ids), expected.data);
        const names = JSON.parse(
            fs.readFileSync(path.join(path.dirname(path.dirname(file)), 'classes.json'), 'utf8'),
        ) as { names: string[] };
        assert.deepEqual(r.classes?.names, names.names);
        assert.equal(r.classes?.dontcare?.value, 255);
    });

    it('writes an 8-bit mask back as 8-bit with exactly the edited ids', async () => {
        const w = 13;
        const h = 7;
        const src = Uint8Array.from({ length: w * h }, (_, i) => (i * 7) % 200);
        const file = path.join(tmp, 'grey8.png');
        await sharp(Buffer.from(src), { raw: { width: w, height: h, channels: 1 } })
            .png()
            .toFile(file);
        const r = await read(file);
        assert.deepEqual(r.format, { kind: 'gray', bitDepth: 8 });
        const edited = decodeIds(r.ids) as Uint8Array;
        assert.deepEqual(Buffer.from(edited), Buffer.from(src));
        edited.fill(250, 0, w * 2);
        const done = await write(file, edited, w, h, r.format);
        assert.equal(done.bytesWritten, fs.statSync(file).size);
        const meta = await sharp(fs.readFileSync(file)).metadata();
        assert.equal(meta.depth, 'uchar');
        assert.equal(meta.channels, 1);
        const back = await sharp(fs.readFileSync(file)).extractChannel(0).raw().toBuffer();
        assert.deepEqual(back, Buffer.from(edited));
        assert.deepEqual(
            fs.readdirSync(tmp).filter((n) => n.includes('grey8.png.')),
            [],
            'no temporary file is left beside the mask',
        );
    });

    it('writes a 16-bit mask back as 16-bit with ids above 255 intact', async () => {
        const w = 11;
        const h = 5;
        const src = Uint16Array.from({ length: w * h }, (_, i) => 300 + i * 97);
        const file = path.join(tmp, 'grey16.png');
        await sharp(src, { raw: { width: w, height: h, channels: 1 } })
            .toColourspace('grey16')
            .png()
            .toFile(file);
        const r = await read(file);
        assert.deepEqual(r.format, { kind: 'gray', bitDepth: 16 });
        const edited = decodeIds(r.ids) as Uint16Array;
        assert.ok(edited instanceof Uint16Array);
        assert.deepEqual([...edited], [...src]);
        edited[3] = 65535;
        edited[4] = 1;
        await write(file, edited, w, h, r.format);
        assert.equal((await sharp(fs.readFileSync(file)).metadata()).depth, 'ushort');
        const raw = await sharp(fs.readFileSync(file))
            .toColourspace('grey16')
            .raw({ depth: 'ushort' })
            .toBuffer();
        const back = new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2);
        assert.deepEqual([...back], [...edited]);
    });

    it('writes a palette mask back with its palette; ids are palette indices', async () => {
        const colours = [
            [200, 10, 10],
            [10, 200, 10],
            [10, 10, 200],
            [240, 240, 0],
        ];
        const w = 16;
        const h = 8;
        const rgb = Buffer.alloc(w * h * 3);
        for (let i = 0; i < w * h; i++) rgb.set(colours[(i >> 3) % 4], i * 3);
        const file = path.join(tmp, 'palette.png');
        await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
            .png({ palette: true, dither: 0, colours: 4 })
            .toFile(file);
        assert.equal((await sharp(file).metadata()).isPalette, true);
        const r = await read(file);
        assert.equal(r.format.kind, 'palette');
        if (r.format.kind !== 'palette') return;
        const palette = r.format.palette;
        const ids = decodeIds(r.ids);
        for (let i = 0; i < w * h; i++) assert.deepEqual(palette[ids[i]], colours[(i >> 3) % 4]);
        // Repaint the first row with the colour of the last pixel's id.
        const last = ids[w * h - 1];
        ids.fill(last, 0, w);
        await write(file, ids, w, h, r.format);
        assert.equal((await sharp(fs.readFileSync(file)).metadata()).isPalette, true);
        const again = await read(file);
        // Same palette and ids; the indices are stored with 8 bits whatever the depth was.
        assert.deepEqual(again.format, { ...r.format, bitDepth: 8 });
        assert.deepEqual([...decodeIds(again.ids)], [...ids]);
        const shown = await sharp(fs.readFileSync(file)).removeAlpha().raw().toBuffer();
        for (let i = 0; i < w * h; i++)
            assert.deepEqual([...shown.subarray(i * 3, i * 3 + 3)], palette[ids[i]]);
    });

    it('refuses to write ids the format cannot hold, naming the file', async () => {
        const file = path.join(tmp, 'grey8.png');
        const before = fs.readFileSync(file);
        const ids = new Uint16Array(13 * 7).fill(3);
        ids[20] = 300;
        const e = await failure(write(file, ids, 13, 7, { kind: 'gray', bitDepth: 8 }));
        assert.equal(e.code, REQUEST_FAILED);
        assert.match(e.message, /grey8\.png: id 300 at \(7, 1\) does not fit a 8-bit map/);
        assert.deepEqual(fs.readFileSync(file), before, 'the file is unchanged');
    });

    it('describes an exported .onnx model and synthesizes a scene at its size', async () => {
        const info = await server.conn.sendRequest<ModelInfoResult>(ModelInfoRequest.method, {
            maskUri: uri(SCENE),
            model: { kind: 'onnx', uri: uri(model9) },
        });
        assert.equal(info.model.kind, 'onnx');
        assert.equal(info.model.labelClasses, 9);
        assert.equal(info.model.inputChannels, 10);
        assert.equal(info.model.hasStyleEncoder, false);
        assert.equal(info.model.outputWidth, 64);
        const scenes = JSON.parse(fs.readFileSync(path.join(tmp, 'classes.json'), 'utf8')) as {
            names: string[];
            colors: number[][];
        };
        assert.deepEqual(info.classes?.names, scenes.names);
        assert.deepEqual(info.classes?.colors, scenes.colors);
        const mask = await read(SCENE);
        assert.deepEqual(mask.classes?.names, scenes.names, 'the dataset names beside the mask');
        const r = await server.conn.sendRequest<SynthesizeResult>(SynthesizeRequest.method, {
            maskUri: uri(SCENE),
            ids: mask.ids,
            model: { kind: 'onnx', uri: uri(model9) },
            seed: 0,
            samples: 4,
        });
        assert.equal(r.images.length, 1, 'no style encoder: one image whatever samples says');
        const png = Buffer.from(r.images[0].png, 'base64');
        const { data, info: meta } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
        assert.deepEqual([meta.width, meta.height, meta.channels], [64, 64, 3]);
        assert.equal(r.images[0].width, 64);
        assert.ok(new Set(data).size > 10, 'the image is not flat');
        assert.ok(r.elapsedMs > 0);
    });

    it("synthesizes from a run folder's latest checkpoint, exported in memory", async () => {
        const model = { kind: 'checkpoint' as const, uri: uri(run) };
        const info = await server.conn.sendRequest<ModelInfoResult>(ModelInfoRequest.method, {
            maskUri: uri(SCENE),
            model,
        });
        assert.equal(info.model.name, 'run (step 40)');
        assert.equal(info.model.labelClasses, 9);
        const mask = await read(SCENE);
        const r = await server.conn.sendRequest<SynthesizeResult>(SynthesizeRequest.method, {
            maskUri: uri(SCENE),
            ids: mask.ids,
            model,
            seed: 0,
            samples: 1,
        });
        const meta = await sharp(Buffer.from(r.images[0].png, 'base64')).metadata();
        assert.deepEqual([meta.width, meta.height], [64, 64]);
    });

    it('gives K images with different seeds for a style model', async () => {
        const mask = await read(SCENE);
        const model = { kind: 'onnx' as const, uri: uri(styleModel) };
        const ask = (seed: number, samples: number) =>
            server.conn.sendRequest<SynthesizeResult>(SynthesizeRequest.method, {
                maskUri: uri(SCENE),
                ids: mask.ids,
                model,
                seed,
                samples,
            });
        const three = await ask(5, 3);
        assert.equal(three.images.length, 3);
        const pngs = three.images.map((i) => i.png);
        assert.equal(new Set(pngs).size, 3, 'each sample has its own style');
        const one = await ask(6, 1);
        assert.equal(one.images[0].png, pngs[1], 'sample k uses seed + k');
    });

    it('refuses a mask with classes the model does not know, saying what to do', async () => {
        const mask = await read(SCENE);
        const ids = decodeIds(mask.ids);
        ids.fill(12, 0, 5);
        ids[100] = 40;
        const e = await failure(
            server.conn.sendRequest(SynthesizeRequest.method, {
                maskUri: uri(SCENE),
                ids: encodeIds(ids, mask.ids.width, mask.ids.height),
                model: { kind: 'onnx', uri: uri(model9) },
                seed: 0,
                samples: 1,
            }),
        );
        assert.equal(e.code, REQUEST_FAILED);
        assert.match(e.message, /scene_00000\.png: class ids 12, 40 \(6 pixels, first at 0, 0\)/);
        assert.match(e.message, /knows 9 classes \(ids 0\.\.8\)/);
        assert.match(e.message, /Choose a model trained on this dataset/);
    });

    it('says plainly when the default model does not exist yet', async () => {
        const e = await failure(
            server.conn.sendRequest(ModelInfoRequest.method, { maskUri: uri(SCENE) }),
        );
        assert.equal(e.code, REQUEST_FAILED);
        assert.match(e.message, /No default model yet: .*no-default[/\\]generator\.onnx/);
        assert.match(e.message, /Model… button/);
    });

    it('drops a superseded synthesis request and keeps serving', async () => {
        const mask = await read(SCENE);
        const params = {
            maskUri: uri(SCENE),
            ids: mask.ids,
            model: { kind: 'onnx', uri: uri(styleModel) },
            seed: 1,
            samples: 8,
        };
        const first = server.conn.sendRequest<SynthesizeResult>(SynthesizeRequest.method, params);
        const cts = new CancellationTokenSource();
        const stale = server.conn.sendRequest(SynthesizeRequest.method, params, cts.token);
        cts.cancel();
        const latest = server.conn.sendRequest<SynthesizeResult>(SynthesizeRequest.method, {
            ...params,
            samples: 1,
        });
        const e = await failure(stale);
        assert.equal(e.code, REQUEST_CANCELLED);
        assert.equal((await first).images.length, 8);
        assert.equal((await latest).images.length, 1);
        assert.ok(server.alive);
    });
});
