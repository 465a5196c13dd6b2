import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckpointStore, checkpointName } from '../../server/src/jobs/checkpoints';
import { decodeTensors, encodeTensors } from '../../server/src/jobs/tensor-file';
import type { TrainerState } from '../../server/src/jobs/trainer';
import {
    publishDirAtomic,
    removeStaleTemps,
    tempSibling,
    writeFileAtomic,
} from '../../server/src/util/atomic';
import { scratch, tinyOptions } from './fixtures/options';

function state(v: number): TrainerState {
    return {
        groups: {
            G: { w: { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, v]) } },
            D: { b: { shape: [1], data: Float32Array.from([v]) } },
        },
        json: { rng: v },
    };
}

describe('atomic writes and the checkpoint store', () => {
    let tmp: ReturnType<typeof scratch>;
    beforeEach(() => (tmp = scratch('store')));
    afterEach(() => tmp.cleanup());

    it('writeFileAtomic replaces content and leaves no temporary behind', () => {
        const f = path.join(tmp.dir, 'a.json');
        writeFileAtomic(f, 'one');
        writeFileAtomic(f, 'two');
        assert.equal(fs.readFileSync(f, 'utf8'), 'two');
        assert.deepEqual(fs.readdirSync(tmp.dir), ['a.json']);
    });

    it('publishDirAtomic publishes nothing when filling fails, and never overwrites', async () => {
        const target = path.join(tmp.dir, 'ck');
        await assert.rejects(
            publishDirAtomic(target, (d) => {
                fs.writeFileSync(path.join(d, 'x'), '1');
                throw new Error('disk full');
            }),
            /disk full/,
        );
        assert.deepEqual(fs.readdirSync(tmp.dir), []);
        await publishDirAtomic(target, (d) => fs.writeFileSync(path.join(d, 'x'), '1'));
        await assert.rejects(
            publishDirAtomic(target, () => {}),
            /never overwritten/,
        );
    });

    it('removeStaleTemps clears temporaries of dead processes only', () => {
        const dead = path.join(tmp.dir, '.step-1.partial-999999999-1');
        const live = path.join(tmp.dir, `.step-2.partial-${process.ppid}-1`);
        fs.mkdirSync(dead);
        fs.mkdirSync(live);
        assert.deepEqual(removeStaleTemps(tmp.dir), [path.basename(dead)]);
        assert.ok(fs.existsSync(live));
        assert.match(path.basename(tempSibling(path.join(tmp.dir, 'f'))), /^\.f\.tmp-\d+-\d+$/);
    });

    it('round-trips tensors in the safetensors layout', () => {
        const bytes = encodeTensors(state(6).groups.G);
        const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
        assert.equal((8 + headerLen) % 8, 0, 'data starts 8-byte aligned');
        const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLen)).toString());
        assert.deepEqual(header.w, { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
        const back = decodeTensors(bytes, 'x.safetensors');
        assert.deepEqual(Array.from(back.w.data), [1, 2, 3, 4, 5, 6]);
        assert.throws(
            () => decodeTensors(bytes.subarray(0, 20), 'x.safetensors'),
            /x\.safetensors: /,
        );
    });

    it('keeps the last K checkpoints and points latest at the newest', async () => {
        const opts = tinyOptions(tmp.dir);
        const store = new CheckpointStore(tmp.dir, 2);
        store.prepare();
        for (const step of [5, 10, 15]) {
            await store.save({ step, epoch: 1, seed: 1, trainer: {}, options: opts }, state(step));
        }
        assert.deepEqual(
            store.list().map((c) => c.step),
            [10, 15],
        );
        assert.equal(
            fs.readFileSync(path.join(store.dir, 'latest'), 'utf8').trim(),
            checkpointName(15),
        );
        const { meta, state: s } = store.load(store.latest()!.dir);
        assert.equal(meta.step, 15);
        assert.deepEqual(s.json, { rng: 15 });
        assert.equal(s.groups.D.b.data[0], 15);
        assert.deepEqual(Object.keys(meta.files).sort(), ['D', 'G']);
    });

    it('falls back to the newest checkpoint when the latest pointer names a missing folder', async () => {
        const opts = tinyOptions(tmp.dir);
        const store = new CheckpointStore(tmp.dir, 3);
        store.prepare();
        await store.save({ step: 5, epoch: 1, seed: 1, trainer: {}, options: opts }, state(5));
        writeFileAtomic(path.join(store.dir, 'latest'), 'step-00000099\n');
        assert.equal(store.latest()?.step, 5);
    });

    it('reports a truncated tensor file by name instead of loading garbage', async () => {
        const opts = tinyOptions(tmp.dir);
        const store = new CheckpointStore(tmp.dir, 3);
        store.prepare();
        const dir = await store.save(
            { step: 5, epoch: 1, seed: 1, trainer: {}, options: opts },
            state(5),
        );
        fs.truncateSync(path.join(dir, 'G.safetensors'), 10);
        assert.throws(
            () => store.load(dir),
            /G\.safetensors: 10 bytes, expected \d+; it is damaged/,
        );
    });
});
