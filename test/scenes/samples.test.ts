/**
 * The held-out samples in samples/scenes are what the documented command writes, so the
 * evaluation set can always be rebuilt and never drifts from the generator silently.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodePng } from '../../server/src/data/png';
import { parseClassFile, sceneClassFile } from '../../server/src/scenes/classes';
import { readRgb } from '../../server/src/scenes/evaluate-io';
import { renderSetScene } from '../../server/src/scenes/generate';
import { repoRoot } from '../support/shared';

const dir = path.join(repoRoot, 'samples', 'scenes');

describe('held-out sample scenes', function () {
    this.timeout(60000);
    const manifest = () => JSON.parse(fs.readFileSync(path.join(dir, 'scenes.json'), 'utf8'));

    it('are a different seed from the default training set and stay small', function () {
        const m = manifest();
        assert.notEqual(m.seed, 1, 'the default training seed is 1');
        let bytes = 0;
        for (const d of ['images', 'masks', 'instances']) {
            for (const f of fs.readdirSync(path.join(dir, d)))
                bytes += fs.statSync(path.join(dir, d, f)).size;
        }
        assert.ok(bytes < 1_000_000, `${bytes} bytes`);
    });

    it('hold the class file of the generator', function () {
        const file = path.join(dir, 'classes.json');
        assert.deepEqual(parseClassFile(fs.readFileSync(file, 'utf8'), file), sceneClassFile());
    });

    it('match the generator: exact label ids, and images within JPEG error', async function () {
        const m = manifest();
        const stems = fs.readdirSync(path.join(dir, 'masks')).map((f) => path.basename(f, '.png'));
        assert.equal(stems.length, m.count);
        for (const [i, stem] of stems.sort().entries()) {
            const scene = renderSetScene(m.seed, i, m.width, m.height);
            const mask = decodePng(fs.readFileSync(path.join(dir, 'masks', `${stem}.png`)));
            assert.deepEqual(
                Uint8Array.from(mask.samples),
                scene.label,
                `${stem}: label ids differ; regenerate the samples (docs/scenes.md)`,
            );
            const img = await readRgb(path.join(dir, 'images', `${stem}.jpg`));
            let err = 0;
            for (let p = 0; p < img.rgb.length; p++) err += Math.abs(img.rgb[p] - scene.rgb[p]);
            assert.ok(err / img.rgb.length < 4, `${stem}: mean error ${err / img.rgb.length}`);
        }
    });
});
