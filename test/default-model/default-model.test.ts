/**
 * The embedded default model (issue #8): it loads, synthesizes the held-out sample masks at
 * the model's size, and its evaluation against the real held-out images beats an untrained
 * model of the same architecture by a stated margin.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { defaultModelPath } from '../../server/src/cli/model-source';
import { synthesizeCommand } from '../../server/src/cli/synthesize-command';
import { readModelInfo } from '../../server/src/engine/onnx/session';
import { resolveRun } from '../../server/src/jobs/config-source';
import { compareWithUntrained } from '../../server/src/scenes/model-vs-untrained';
import { captureIO, REPO, SCENES } from '../cli/helpers';

const CONFIG = path.join(REPO, 'samples', 'default-model', 'landscapes-64.spade');
/** The trained model's score must be at most this fraction of the untrained one's. */
const MARGIN = 0.5;

async function synthesizeWith(model: string, out: string): Promise<void> {
    const io = captureIO(REPO);
    const code = await synthesizeCommand.run(
        ['--model', model, '--out', out, path.join(SCENES, 'masks')],
        io,
    );
    assert.equal(code, 0, io.err_.join('\n'));
}

describe('the embedded default model', function () {
    this.timeout(120000);
    let tmp: string;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-default-model-'));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it('is shipped where the CLI and the preview look for it, and is small', () => {
        const file = defaultModelPath();
        assert.ok(fs.existsSync(file), `missing ${file}`);
        assert.ok(fs.statSync(file).size < 8 * 2 ** 20, 'the default model should stay a few MB');
    });

    it('synthesizes every sample mask at the model size', async () => {
        const info = readModelInfo(fs.readFileSync(defaultModelPath()), 'default model');
        assert.equal(info.labelNc, 9);
        const out = path.join(tmp, 'trained');
        await synthesizeWith(defaultModelPath(), out);
        const files = fs.readdirSync(out).filter((f) => f.endsWith('.png'));
        assert.equal(files.length, 6);
        for (const f of files) {
            const m = await sharp(path.join(out, f)).metadata();
            assert.deepEqual([m.width, m.height], [info.width, info.height]);
        }
    });

    it(`scores at most ${MARGIN} of an untrained model of the same architecture`, async () => {
        const text = fs.readFileSync(CONFIG, 'utf8');
        const resolved = resolveRun(CONFIG, text, 'landscapes_64');
        assert.ok(resolved.ok, resolved.ok ? '' : resolved.message);
        const r = await compareWithUntrained({
            model: defaultModelPath(),
            options: resolved.run.options,
            masks: path.join(SCENES, 'masks'),
            images: path.join(SCENES, 'images'),
        });
        assert.equal(r.trained.images, 6);
        assert.ok(
            r.trained.score <= MARGIN * r.untrained.score,
            `default model scores ${r.trained.score.toFixed(2)}, untrained ${r.untrained.score.toFixed(2)}`,
        );
    });
});
