/**
 * Style images end to end on a VAE run (crop 256, random generator and encoder weights):
 * `spade export` writes the encoder beside the generator, and `spade synthesize --style` gives
 * exactly the image of z = mu + eps(seed) * std from that encoder, from the run folder and from
 * the exported files alike; misuse is a clear exit 2.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { exportCommand } from '../../server/src/cli/export-command';
import { encoderPathFor } from '../../server/src/cli/model-source';
import { readStyleImage } from '../../server/src/cli/style-source';
import { synthesizeCommand } from '../../server/src/cli/synthesize-command';
import { readLabelMap } from '../../server/src/data/label-file';
import { exportEncoder } from '../../server/src/engine/onnx/encoder-export';
import {
    EncoderSession,
    readEncoderInfo,
    styleZ,
} from '../../server/src/engine/onnx/encoder-session';
import { randomEncoderState } from '../../server/src/engine/onnx/random-state';
import { GeneratorSession } from '../../server/src/engine/onnx/session';
import type { RunOptions } from '../../server/src/engine/options';
import { CheckpointStore } from '../../server/src/jobs/checkpoints';
import { scratch } from '../jobs/fixtures/options';
import { SCENES, captureIO, randomState, sceneOptions, writeRun } from './helpers';

const MASK = path.join(SCENES, 'masks', 'scene_00003.png');
const STYLE_A = path.join(SCENES, 'images', 'scene_00001.jpg');
const STYLE_B = path.join(SCENES, 'images', 'scene_00004.jpg');

/** A VAE run at crop 256 whose checkpoint holds random G and E weights. */
async function writeVaeRun(runDir: string): Promise<RunOptions> {
    const o = sceneOptions(runDir, (x) => {
        x.generator.useVae = true;
        x.dataset.cropSize = 256;
        x.dataset.loadSize = 256;
    });
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'options.json'), JSON.stringify(o));
    const store = new CheckpointStore(runDir, 2);
    store.prepare();
    const E = randomEncoderState({ ...o.encoder, ngf: 4, cropSize: 256, zDim: 8 }, 6);
    await store.save(
        { step: 3, epoch: 1, seed: 1, trainer: {}, options: o },
        {
            groups: {
                G: Object.fromEntries(randomState(o)),
                E: Object.fromEntries(E),
                D: {},
                optimizer_G: {},
                optimizer_D: {},
            },
            json: {},
        },
    );
    return o;
}

async function rgbOf(file: string): Promise<Buffer> {
    return sharp(file).raw().toBuffer();
}

describe('spade synthesize --style (CLI)', function () {
    this.timeout(120000);
    let tmp: ReturnType<typeof scratch>;
    let runDir: string;
    let onnxFile: string;
    let exportOut: string[];

    before(async () => {
        tmp = scratch('cli-style');
        runDir = path.join(tmp.dir, 'runs', 'vae');
        await writeVaeRun(runDir);
        const io = captureIO(tmp.dir);
        assert.equal(await exportCommand.run(['runs/vae'], io), 0, io.err_.join('\n'));
        exportOut = io.out_;
        onnxFile = path.join(runDir, 'export', 'generator.onnx');
    });
    after(() => tmp.cleanup());

    /** Runs synthesize; returns the exit code, the messages and the images by name. */
    async function synth(
        args: string[],
        tag: string,
    ): Promise<{ code: number; err: string; files: Map<string, Buffer> }> {
        const out = path.join(tmp.dir, tag);
        const io = captureIO(tmp.dir);
        const code = await synthesizeCommand.run([...args, '--out', out, MASK], io);
        const files = new Map<string, Buffer>();
        if (fs.existsSync(out))
            for (const n of fs.readdirSync(out)) files.set(n, await rgbOf(path.join(out, n)));
        return { code, err: io.err_.join('\n'), files };
    }

    it('export writes generator.encoder.onnx beside generator.onnx and describes it', () => {
        const enc = path.join(runDir, 'export', 'generator.encoder.onnx');
        assert.equal(encoderPathFor(onnxFile), enc);
        const info = readEncoderInfo(fs.readFileSync(enc), enc);
        assert.deepEqual(
            { zDim: info.zDim, layers: info.layers, norm: info.norm },
            { zDim: 8, layers: 6, norm: 'instance' },
        );
        assert.match(
            exportOut.join('\n'),
            /style encoder .*generator\.encoder\.onnx \([\d.]+ MB\): input image \[N, 3, H, W\] in \[-1, 1\]; outputs mu, logvar \[N, 8\]/,
        );
        assert.deepEqual(fs.readdirSync(path.dirname(onnxFile)).sort(), [
            'generator.encoder.onnx',
            'generator.onnx',
        ]);
    });

    it('gives the image of z = mu + eps(seed) * std of the encoded style image', async () => {
        const r = await synth(['--model', runDir, '--style', STYLE_A, '--seed', '5'], 'a');
        assert.equal(r.code, 0, r.err);
        // The same computation by hand, from the exported files.
        const o = sceneOptions(runDir, (x) => (x.generator.useVae = true));
        const enc = await EncoderSession.load(
            exportEncoder(randomEncoderState({ ...o.encoder, ngf: 4, cropSize: 256, zDim: 8 }, 6), {
                ...o.encoder,
                ngf: 4,
                cropSize: 256,
                zDim: 8,
            }).bytes,
            'expected encoder',
        );
        const gen = await GeneratorSession.load(onnxFile);
        try {
            const code = await enc.encode(await readStyleImage(STYLE_A, 256, 256));
            const read = await readLabelMap(MASK, {});
            const labels = { ids: read.ids.data, width: read.ids.width, height: read.ids.height };
            const inst = await readLabelMap(path.join(SCENES, 'instances', 'scene_00003.png'), {
                instance: true,
            });
            const instance = { ids: inst.ids.data, width: inst.ids.width, height: inst.ids.height };
            const img = await gen.synthesizeOne({ labels, instance, z: styleZ(code, 5) });
            assert.deepEqual(r.files.get('scene_00003.png'), Buffer.from(img.rgb));
            const plain = await gen.synthesizeOne({ labels, instance, seed: 5 });
            assert.notDeepEqual(Buffer.from(plain.rgb), Buffer.from(img.rgb), 'the style matters');
        } finally {
            await enc.release();
            await gen.release();
        }
    });

    it('the exported files and the run folder agree; another style image, another result', async () => {
        const fromRun = await synth(['--model', runDir, '--style', STYLE_A, '--seed', '5'], 'r');
        const fromFile = await synth(['--model', onnxFile, '--style', STYLE_A, '--seed', '5'], 'f');
        assert.equal(fromFile.code, 0, fromFile.err);
        assert.deepEqual(fromFile.files, fromRun.files);
        const other = await synth(['--model', onnxFile, '--style', STYLE_B, '--seed', '5'], 'b');
        assert.notDeepEqual(
            other.files.get('scene_00003.png'),
            fromRun.files.get('scene_00003.png'),
        );
        const two = await synth(
            ['--model', onnxFile, '--style', STYLE_A, '--seed', '5', '--samples', '2'],
            'two',
        );
        assert.deepEqual([...two.files.keys()].sort(), [
            'scene_00003-seed5.png',
            'scene_00003-seed6.png',
        ]);
        assert.deepEqual(
            two.files.get('scene_00003-seed5.png'),
            fromRun.files.get('scene_00003.png'),
        );
    });

    it('export notes an encoder it cannot export and still writes the generator', async () => {
        const small = path.join(tmp.dir, 'runs', 'vae64');
        const o = sceneOptions(small, (x) => (x.generator.useVae = true));
        await writeRun(small, o, randomState(o));
        const io = captureIO(tmp.dir);
        const out = path.join(tmp.dir, 'vae64.onnx');
        assert.equal(await exportCommand.run([small, '--out', out], io), 0, io.err_.join('\n'));
        assert.match(
            io.err_.join('\n'),
            /note: .*vae64 has no usable style encoder \(.*step-00000012: the style encoder needs crop size 256 or more \(crop 64 gives 8x8 features.*\); style images will be refused\./,
        );
        assert.ok(fs.existsSync(out));
        assert.ok(!fs.existsSync(encoderPathFor(out)));
    });

    it('refuses --style for a model without an encoder or a z input, and an unreadable image', async () => {
        const lone = path.join(tmp.dir, 'lone.onnx');
        fs.copyFileSync(onnxFile, lone);
        let r = await synth(['--model', lone, '--style', STYLE_A], 'lone');
        assert.equal(r.code, 2);
        assert.match(
            r.err,
            /--style: .*lone\.onnx has no style encoder beside it \(lone\.encoder\.onnx\); export the run again/,
        );

        const plainRun = path.join(tmp.dir, 'runs', 'plain');
        const o = sceneOptions(plainRun);
        await writeRun(plainRun, o, randomState(o));
        r = await synth(['--model', plainRun, '--style', STYLE_A], 'plain');
        assert.equal(r.code, 2);
        assert.match(
            r.err,
            /--style needs a model with a style encoder \(use_vae\); .*plain takes no style input/,
        );

        r = await synth(['--model', onnxFile, '--style', path.join(tmp.dir, 'nope.png')], 'nope');
        assert.equal(r.code, 2);
        assert.match(
            r.err,
            /nope\.png: cannot be read as a style image \(no such file\); choose a PNG or JPEG/,
        );
        assert.equal(r.files.size, 0, 'nothing written');

        r = await synth(['--model', onnxFile, '--style', tmp.dir], 'folder');
        assert.equal(r.code, 2);
        assert.match(r.err, /: is a folder, not a style image; name one PNG or JPEG photo inside/);
        assert.doesNotMatch(r.err, /unsupported image format/);
    });
});
