/**
 * `spade export` and `spade synthesize` end to end on a tiny run folder with a real checkpoint
 * (random weights, spectral norm in checkpoint form), the sample scene masks and error cases.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { exportCommand } from '../../server/src/cli/export-command';
import {
    CLASSES_KEY,
    SOURCE_KEY,
    defaultModelPath,
    readMetadata,
    type ModelClasses,
    type ModelSource,
} from '../../server/src/cli/model-source';
import { synthesizeCommand } from '../../server/src/cli/synthesize-command';
import { exportGenerator } from '../../server/src/engine/onnx/export';
import { readModelInfo } from '../../server/src/engine/onnx/session';
import { scratch } from '../jobs/fixtures/options';
import { SCENES, captureIO, randomState, sceneOptions, spectralForm, writeRun } from './helpers';

const MASKS = path.join(SCENES, 'masks');

/** A PNG of `width` x `height` 8-bit grey pixels with one row of data: enough for a header. */
function pngHeader(width: number, height: number): Buffer {
    const crc = (b: Buffer): number => {
        let c = ~0;
        for (const x of b) {
            c ^= x;
            for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
        }
        return ~c >>> 0;
    };
    const chunk = (type: string, data: Buffer): Buffer => {
        const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
        const out = Buffer.alloc(body.length + 8);
        out.writeUInt32BE(data.length, 0);
        body.copy(out, 4);
        out.writeUInt32BE(crc(body), body.length + 4);
        return out;
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = 8; // bit depth; colour type 0 (grey)
    return Buffer.concat([
        Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
        chunk('IHDR', ihdr),
        chunk('IDAT', zlib.deflateSync(Buffer.alloc(width + 1))),
        chunk('IEND', Buffer.alloc(0)),
    ]);
}

async function pixels(file: string): Promise<{ data: Buffer; width: number; height: number }> {
    const r = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    return { data: r.data, width: r.info.width, height: r.info.height };
}

describe('spade export / synthesize (CLI)', function () {
    this.timeout(60000);
    let tmp: ReturnType<typeof scratch>;
    let runDir: string;
    let onnxFile: string;

    before(async () => {
        tmp = scratch('cli-export');
        runDir = path.join(tmp.dir, 'runs', 'scenes');
        const o = sceneOptions(runDir);
        await writeRun(runDir, o, spectralForm(randomState(o)));
        const io = captureIO(tmp.dir);
        const code = await exportCommand.run(['runs/scenes'], io);
        assert.equal(code, 0, io.err_.join('\n'));
        onnxFile = path.join(runDir, 'export', 'generator.onnx');
    });
    after(() => tmp.cleanup());

    it('export writes <run>/export/generator.onnx with the label layout and classes', () => {
        const bytes = fs.readFileSync(onnxFile);
        const info = readModelInfo(bytes, onnxFile);
        assert.equal(info.labelNc, 9);
        assert.equal(info.useInstance, true);
        assert.equal(info.semanticChannels, 10);
        assert.deepEqual([info.height, info.width], [64, 64]);
        const classes = readMetadata<ModelClasses>(bytes, CLASSES_KEY);
        assert.equal(classes?.names?.[0], 'sky');
        assert.equal(classes?.palette?.length, 9);
        assert.equal(fs.readdirSync(path.dirname(onnxFile)).length, 1, 'no temporary left');
    });

    it('export names its source run, checkpoint and class file without local paths', () => {
        const bytes = fs.readFileSync(onnxFile);
        assert.deepEqual(readMetadata<ModelSource>(bytes, SOURCE_KEY), {
            run: 'scenes',
            step: 12,
            checkpoint: 'checkpoints/step-00000012',
        });
        assert.equal(readMetadata<ModelClasses>(bytes, CLASSES_KEY)?.source, 'classes.json');
        const text = Buffer.from(bytes).toString('latin1');
        assert.ok(!text.includes(tmp.dir), 'the scratch folder is in the model');
        assert.ok(!text.includes(SCENES), 'the class file folder is in the model');
    });

    it('export describes the model as exporting the options directly would', () => {
        const o = sceneOptions(runDir);
        const direct = exportGenerator(randomState(o), o.generator, o.dataset).bytes;
        const info = readModelInfo(fs.readFileSync(onnxFile), onnxFile);
        assert.deepEqual(info, readModelInfo(direct, 'direct'));
    });

    it('synthesize writes one model-sized PNG per sample mask and says where', async () => {
        const out = path.join(tmp.dir, 'synth');
        const io = captureIO(tmp.dir);
        const code = await synthesizeCommand.run(['--model', onnxFile, '--out', out, MASKS], io);
        assert.equal(code, 0, io.err_.join('\n'));
        const masks = fs.readdirSync(MASKS).sort();
        assert.deepEqual(fs.readdirSync(out).sort(), masks);
        for (const m of masks) {
            const p = await pixels(path.join(out, m));
            assert.deepEqual([p.width, p.height], [64, 64]);
        }
        const text = io.out_.join('\n');
        assert.match(text, new RegExp(`Images written to ${out.replace(/[\\/.]/g, '\\$&')}`));
        assert.match(
            text,
            /6 images \(64x64\) from 6 of 6 masks in [\d.]+ s \(model [\d.]+ s, \d+ ms per image\)/,
        );
    });

    it('--size mask scales the image to the mask; a bad --size is exit 2', async () => {
        const mask = path.join(MASKS, 'scene_00005.png');
        const out = path.join(tmp.dir, 'mask-size');
        let io = captureIO(tmp.dir);
        const code = await synthesizeCommand.run(
            ['--model', onnxFile, '--out', out, '--size', 'mask', mask],
            io,
        );
        assert.equal(code, 0, io.err_.join('\n'));
        const want = await sharp(mask).metadata();
        const got = await pixels(path.join(out, 'scene_00005.png'));
        assert.deepEqual([got.width, got.height], [want.width, want.height]);
        io = captureIO(tmp.dir);
        assert.equal(await synthesizeCommand.run(['--size', 'big', mask], io), 2);
        assert.match(io.err_.join('\n'), /--size is 'big'; use model or mask/);
    });

    it('a run folder, a checkpoint folder and its exported file give the same image', async () => {
        const mask = path.join(MASKS, 'scene_00001.png');
        const results: Buffer[] = [];
        const ckpt = path.join(runDir, 'checkpoints', 'step-00000012');
        for (const model of [onnxFile, runDir, ckpt]) {
            const out = path.join(tmp.dir, `same-${results.length}`);
            const io = captureIO(tmp.dir);
            const code = await synthesizeCommand.run(['--model', model, '--out', out, mask], io);
            assert.equal(code, 0, io.err_.join('\n'));
            results.push((await pixels(path.join(out, 'scene_00001.png'))).data);
        }
        assert.deepEqual(results[1], results[0]);
        assert.deepEqual(results[2], results[0]);
        // Plain (unfolded-form) weights exported directly: the fold must have undone the x3.
        const o = sceneOptions(runDir);
        const plain = path.join(tmp.dir, 'plain.onnx');
        fs.writeFileSync(plain, exportGenerator(randomState(o), o.generator, o.dataset).bytes);
        const out = path.join(tmp.dir, 'plain-out');
        const code = await synthesizeCommand.run(
            ['--model', plain, '--out', out, mask],
            captureIO(tmp.dir),
        );
        assert.equal(code, 0);
        const p = (await pixels(path.join(out, 'scene_00001.png'))).data;
        let maxDiff = 0;
        for (let i = 0; i < p.length; i++)
            maxDiff = Math.max(maxDiff, Math.abs(p[i] - results[0][i]));
        assert.ok(maxDiff <= 1, `max byte difference ${maxDiff}`);
    });

    it('an RGB mask in the class colours gives the same image as its id mask', async () => {
        const mask = path.join(MASKS, 'scene_00002.png');
        const ids = await sharp(mask).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
        const classes = JSON.parse(fs.readFileSync(path.join(SCENES, 'classes.json'), 'utf8')) as {
            colors: number[][];
        };
        const rgb = Buffer.alloc(ids.data.length * 3);
        ids.data.forEach((id, i) => rgb.set(classes.colors[id], i * 3));
        const rgbDir = path.join(tmp.dir, 'rgb', 'masks');
        fs.mkdirSync(rgbDir, { recursive: true });
        const rgbMask = path.join(rgbDir, 'scene_00002.png');
        await sharp(rgb, { raw: { width: ids.info.width, height: ids.info.height, channels: 3 } })
            .png()
            .toFile(rgbMask);
        const outs = [path.join(tmp.dir, 'from-ids'), path.join(tmp.dir, 'from-rgb')];
        for (const [i, m] of [mask, rgbMask].entries()) {
            // The same instance maps for both, so only the label reading differs.
            const args = [
                '--model',
                onnxFile,
                '--out',
                outs[i],
                '--instances',
                path.join(SCENES, 'instances'),
                m,
            ];
            const io = captureIO(tmp.dir);
            assert.equal(await synthesizeCommand.run(args, io), 0, io.err_.join('\n'));
        }
        const a = await pixels(path.join(outs[0], 'scene_00002.png'));
        const b = await pixels(path.join(outs[1], 'scene_00002.png'));
        assert.deepEqual(b.data, a.data);
    });

    it('--samples K with a style model writes K different seeds', async () => {
        const vaeRun = path.join(tmp.dir, 'runs', 'vae');
        const o = sceneOptions(vaeRun, (x) => (x.generator.useVae = true));
        await writeRun(vaeRun, o, randomState(o));
        const out = path.join(tmp.dir, 'vae-out');
        const io = captureIO(tmp.dir);
        const args = ['--model', vaeRun, '--out', out, '--samples', '3', '--seed', '5'];
        const code = await synthesizeCommand.run(
            [...args, path.join(MASKS, 'scene_00000.png')],
            io,
        );
        assert.equal(code, 0, io.err_.join('\n'));
        const names = fs.readdirSync(out).sort();
        assert.deepEqual(
            names,
            [5, 6, 7].map((s) => `scene_00000-seed${s}.png`),
        );
        const imgs = await Promise.all(names.map((n) => pixels(path.join(out, n))));
        assert.notDeepEqual(imgs[0].data, imgs[1].data);
        assert.notDeepEqual(imgs[1].data, imgs[2].data);
    });

    it('a class-count mismatch is a clear message and exit 1, not a crash', async () => {
        const small = path.join(tmp.dir, 'runs', 'four');
        const o = sceneOptions(small, (x) => (x.dataset.labelNc = 4));
        await writeRun(small, o, randomState(o));
        const io = captureIO(tmp.dir);
        const out = path.join(tmp.dir, 'four-out');
        const code = await synthesizeCommand.run(['--model', small, '--out', out, MASKS], io);
        assert.equal(code, 1);
        const text = io.err_.join('\n');
        assert.match(
            text,
            /scene_00000\.png: pixel \(\d+, \d+\) has class id \d+ \(largest [4-8]\), but the model .*four knows 4 classes \(ids 0\.\.3\)/,
        );
        assert.match(io.out_.join('\n'), /0 images/);
    });

    it('an unreadable mask is reported by name; the other masks are still written', async () => {
        const dir = path.join(tmp.dir, 'mixed');
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, 'broken.png'), 'not a png at all');
        fs.copyFileSync(path.join(MASKS, 'scene_00003.png'), path.join(dir, 'good.png'));
        const out = path.join(tmp.dir, 'mixed-out');
        const io = captureIO(tmp.dir);
        const code = await synthesizeCommand.run(
            ['--model', onnxFile, '--out', out, dir, path.join(dir, 'missing.png')],
            io,
        );
        assert.equal(code, 1);
        assert.deepEqual(fs.readdirSync(out), ['good.png']);
        const text = io.err_.join('\n');
        assert.match(text, /broken\.png: .*(not an image|PNG)/i);
        assert.match(text, /spade synthesize: \S*missing\.png: does not exist; check the path/);
        assert.match(io.out_.join('\n'), /1 image \(64x64\) from 1 of 3 masks/);
    });

    it('checks masks and --instances before the model, and names them with what to do', async () => {
        // The model does not exist: the mask and folder errors must come first, on their own.
        let io = captureIO(tmp.dir);
        let code = await synthesizeCommand.run(['--model', 'nope.onnx', 'nomask.png'], io);
        assert.equal(code, 1);
        assert.match(io.err_[0], /^spade synthesize: \S*nomask\.png: does not exist/);
        assert.doesNotMatch(io.err_.join('\n'), /nope\.onnx/, 'the model was loaded first');
        io = captureIO(tmp.dir);
        const mask = path.join(MASKS, 'scene_00000.png');
        code = await synthesizeCommand.run(['--model', onnxFile, '--instances', 'nodir', mask], io);
        assert.equal(code, 2);
        assert.match(
            io.err_.join('\n'),
            /spade synthesize: --instances \S*nodir: no such folder; name the folder of instance maps/,
        );
    });

    it('an oversized mask says its size and the limit; a bad --classes says what to pass', async () => {
        // A PNG header of 20000x20000 grey pixels: sharp refuses it by its size alone.
        const big = path.join(tmp.dir, 'big.png');
        fs.writeFileSync(big, pngHeader(20000, 20000));
        let io = captureIO(tmp.dir);
        let code = await synthesizeCommand.run(['--model', onnxFile, '--out', 'big-out', big], io);
        assert.equal(code, 1);
        let text = io.err_.join('\n');
        assert.match(text, /big\.png: is too large \(20000x20000\): over the 268402689 pixels/);
        assert.match(text, /Scale it down/);
        assert.doesNotMatch(text, /should be PNG/);
        io = captureIO(tmp.dir);
        const mask = path.join(MASKS, 'scene_00000.png');
        code = await synthesizeCommand.run(['--model', onnxFile, '--classes', 'no.json', mask], io);
        assert.equal(code, 2);
        text = io.err_.join('\n');
        assert.match(
            text,
            /--classes: \S*no\.json: cannot read the class file .*; pass a JSON class/,
        );
        assert.doesNotMatch(text, /[^.]\.\.$/m, 'a doubled full stop');
    });

    it('a missing or foreign model is exit 2 with what to do', async () => {
        let io = captureIO(tmp.dir);
        assert.equal(await synthesizeCommand.run(['--model', 'nope.onnx', MASKS], io), 2);
        assert.match(
            io.err_.join('\n'),
            /nope\.onnx: cannot read the model \(no such file\); pass an exported \.onnx file/,
        );
        const foreign = path.join(tmp.dir, 'foreign.onnx');
        fs.writeFileSync(foreign, Buffer.from([0x08, 0x07]));
        io = captureIO(tmp.dir);
        assert.equal(await synthesizeCommand.run(['--model', foreign, MASKS], io), 2);
        assert.match(
            io.err_.join('\n'),
            /foreign\.onnx: this ONNX file was not exported by SPADE Studio/,
        );
        // A mask or a config passed as the model: say what --model takes.
        const config = path.join(tmp.dir, 'x.spade');
        fs.writeFileSync(config, 'dataset d { }\n');
        for (const file of [path.join(MASKS, 'scene_00000.png'), config]) {
            io = captureIO(tmp.dir);
            assert.equal(await synthesizeCommand.run(['--model', file, MASKS], io), 2);
            assert.match(
                io.err_.join('\n'),
                /not an ONNX model .*; --model takes an \.onnx file exported by `spade export`, a run folder or a checkpoint folder/,
            );
        }
    });

    it('without --model it uses the embedded default, or says plainly that it is missing', async function () {
        const out = path.join(tmp.dir, 'default-out');
        const io = captureIO(tmp.dir);
        const code = await synthesizeCommand.run(
            ['--out', out, path.join(MASKS, 'scene_00004.png')],
            io,
        );
        if (fs.existsSync(defaultModelPath())) {
            assert.equal(code, 0, io.err_.join('\n'));
            assert.ok(fs.existsSync(path.join(out, 'scene_00004.png')));
        } else {
            assert.equal(code, 2);
            assert.match(
                io.err_.join('\n'),
                /the embedded default model is missing \(expected .*samples[\\/]default-model[\\/]generator\.onnx\)\. Make it by training/,
            );
        }
    });

    it('export errors: no checkpoint yet, no such folder, no options; bad usage', async () => {
        const empty = path.join(tmp.dir, 'runs', 'empty');
        fs.mkdirSync(empty, { recursive: true });
        fs.writeFileSync(path.join(empty, 'options.json'), '{}');
        let io = captureIO(tmp.dir);
        assert.equal(await exportCommand.run([empty], io), 2);
        assert.match(io.err_.join('\n'), /empty: the run has no checkpoint yet .*train first/);

        io = captureIO(tmp.dir);
        assert.equal(await exportCommand.run(['runs/nothing-here'], io), 2);
        assert.match(io.err_.join('\n'), /nothing-here: does not exist/);

        const bare = path.join(tmp.dir, 'runs', 'bare');
        const o = sceneOptions(bare);
        const ckpt = await writeRun(bare, o, randomState(o));
        const stateFile = path.join(ckpt, 'state.json');
        const meta = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
        delete meta.options;
        fs.writeFileSync(stateFile, JSON.stringify(meta));
        fs.rmSync(path.join(bare, 'options.json'));
        io = captureIO(tmp.dir);
        assert.equal(await exportCommand.run([ckpt], io), 1);
        assert.match(
            io.err_.join('\n'),
            /state\.json: holds no options and .*options\.json is missing/,
        );

        io = captureIO(tmp.dir);
        assert.equal(await exportCommand.run([runDir, '--mode', 'fast'], io), 2);
        assert.match(io.err_.join('\n'), /--mode is 'fast'; use onehot or plain/);
    });

    it('export --out and --mode plain write where asked', async () => {
        const out = path.join(tmp.dir, 'models', 'plain.onnx');
        const io = captureIO(tmp.dir);
        assert.equal(await exportCommand.run([runDir, '--out', out, '--mode', 'plain'], io), 0);
        assert.equal(readModelInfo(fs.readFileSync(out), out).mode, 'plain');
        assert.match(io.out_.join('\n'), /Exported scenes at step 12 .*\n {2}to .*plain\.onnx/);
    });
});
