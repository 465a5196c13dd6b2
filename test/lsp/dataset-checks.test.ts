/**
 * Dataset checks against files on disk: one tiny fixture per label-format case, the real
 * COCO-Stuff sample, the per-file cache, cancellation, and on 100,000 files the time bound,
 * an event loop that keeps turning while they are listed, and listing that stops when superseded.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { indexDataset, type DatasetIndex } from '../../server/src/data/dataset';
import type { DatasetOptions } from '../../server/src/engine/options';
import { analyze } from '../../server/src/language/service';
import {
    NodeDatasetFiles,
    type DatasetFiles,
} from '../../server/src/features/dataset-checks-files';
import { anchorSpan, datasetTarget } from '../../server/src/features/dataset-checks-options';
import { DatasetChecks } from '../../server/src/features/dataset-checks-provider';
import { histogramMarkdown } from '../../server/src/features/dataset-checks-report';
import {
    DatasetChecker,
    spreadOrder,
    type CheckBudget,
    type DatasetCheckResult,
} from '../../server/src/features/dataset-checks-run';
import { requireShared } from '../support/shared';
import { customDataset, FixtureDataset } from './dataset-fixtures';

const GO = { isCancellationRequested: false };

/** Watches the event loop: how often a 5 ms timer fired, and the longest wait between. */
function watchLoop(): { stop(): { ticks: number; maxGapMs: number } } {
    let last = performance.now();
    let maxGapMs = 0;
    let ticks = 0;
    const gap = () => {
        const now = performance.now();
        maxGapMs = Math.max(maxGapMs, Math.round(now - last));
        last = now;
    };
    const timer = setInterval(() => {
        ticks++;
        gap();
    }, 5);
    return {
        stop() {
            clearInterval(timer);
            gap();
            return { ticks, maxGapMs };
        },
    };
}

function target(text: string, dir: string) {
    const a = analyze(text)!;
    const block = [...a.model.symbols.get('dataset')!.values()][0];
    return datasetTarget(block, dir)!;
}

async function check(
    f: FixtureDataset,
    extra: string,
    files: DatasetFiles = new NodeDatasetFiles(),
    budget?: CheckBudget,
): Promise<DatasetCheckResult> {
    const r = await new DatasetChecker(files).run(
        target(customDataset('d', extra), f.root),
        GO,
        budget,
    );
    assert.ok(r);
    return r;
}

const kinds = (r: DatasetCheckResult) => r.findings.map((x) => x.kind);
const finding = (r: DatasetCheckResult, kind: string) => {
    const hit = r.findings.find((x) => x.kind === kind);
    assert.ok(hit, `no ${kind} in ${JSON.stringify(r.findings)}`);
    return hit;
};
const ids = (r: DatasetCheckResult) => r.histogram.map((c) => c.id);
const NO_RESIZE = '    preprocess { mode = none }\n';

describe('dataset checks on disk', function () {
    this.timeout(30000);
    const made: FixtureDataset[] = [];
    const fixture = () => {
        const f = new FixtureDataset();
        made.push(f);
        return f;
    };
    after(() => made.forEach((f) => f.remove()));

    it('names the file, value and pixel count of ids beyond the class count (0, 1, 7 with 5 classes)', async () => {
        const f = fixture();
        await f.grey('a.png', 3, 2, [0, 1, 7, 0, 1, 1]);
        await f.image('a.jpg', 3, 2);
        const r = await check(f, `    classes = 5\n${NO_RESIZE}`);
        const x = finding(r, 'dataOutOfRange');
        assert.match(x.message, /0\.\.4 for 5 classes: 7 \(1 px in 1 map\(s\), e\.g\. a\.png\)/);
        assert.match(x.message, /at least 8/);
        assert.deepEqual(x.files, [path.join(f.labels, 'a.png')]);
        assert.deepEqual(r.histogram, [
            { id: 0, pixels: 2, maps: 1 },
            { id: 1, pixels: 3, maps: 1 },
            { id: 7, pixels: 1, maps: 1 },
        ]);
        const clean = await check(f, `    classes = 8\n${NO_RESIZE}`);
        assert.deepEqual(kinds(clean), []);
    });

    it('reads palette PNG indices (0..2) as ids, not their colours, and says so', async () => {
        const f = fixture();
        f.palette('p.png', 3, 1, [0, 1, 2]);
        await f.image('p.jpg', 3, 1);
        const r = await check(f, `    classes = 3\n${NO_RESIZE}`);
        assert.deepEqual(kinds(r), ['dataPaletteIndices']);
        assert.deepEqual(ids(r), [0, 1, 2]);
    });

    it('reads 16-bit maps exactly (0, 1, 2 and 300)', async () => {
        const f = fixture();
        await f.grey16('s.png', 2, 2, [0, 1, 2, 300]);
        await f.image('s.jpg', 2, 2);
        const r = await check(f, `    classes = 3\n${NO_RESIZE}`);
        assert.deepEqual(kinds(r), ['dataOutOfRange', 'data16Bit']);
        assert.deepEqual(ids(r), [0, 1, 2, 300]);
        assert.match(finding(r, 'dataOutOfRange').message, /300 \(1 px/);
    });

    it('finds 255 without dontcare, and accepts it with dontcare on', async () => {
        const f = fixture();
        await f.grey('u.png', 2, 1, [3, 255]);
        await f.image('u.jpg', 2, 1);
        const r = await check(f, NO_RESIZE);
        assert.deepEqual(kinds(r), ['data255']);
        assert.match(finding(r, 'data255').message, /1 label map\(s\) hold 255.*u\.png/);
        assert.deepEqual(kinds(await check(f, `    dontcare = on\n${NO_RESIZE}`)), []);
    });

    it('reports RGB colour masks without a palette, and maps them through a class file', async () => {
        const f = fixture();
        await f.rgb('c.png', 2, 1, [200, 10, 10, 10, 200, 10]);
        await f.image('c.jpg', 2, 1);
        assert.deepEqual(kinds(await check(f, NO_RESIZE)), ['dataRgbMask']);
        fs.writeFileSync(
            path.join(f.root, 'classes.json'),
            JSON.stringify({ names: ['a', 'b'], colors: ['#c80a0a', [10, 200, 10]] }),
        );
        const r = await check(f, `    class_file = "classes.json"\n${NO_RESIZE}`);
        assert.deepEqual(kinds(r), []);
        assert.deepEqual(ids(r), [0, 1]);
        assert.deepEqual(r.classNames, ['a', 'b']);
    });

    it('warns about JPEG label maps', async () => {
        const f = fixture();
        await f.jpegLabel('j.jpg', 2, 2, [0, 0, 1, 1]);
        await f.image('j.png', 2, 2);
        const r = await check(f, `    classes = 200\n${NO_RESIZE}`);
        assert.ok(kinds(r).includes('dataLossy'), JSON.stringify(r.findings));
    });

    it('finds images smaller than the crop', async () => {
        const f = fixture();
        await f.grey('t.png', 3, 2, [0, 0, 0, 0, 0, 0]);
        await f.image('t.jpg', 3, 2);
        const r = await check(
            f,
            '    preprocess {\n        mode = crop\n        crop = 4\n    }\n',
        );
        assert.match(
            finding(r, 'dataTooSmall').message,
            /t\.jpg is 3x2, smaller than the 4-pixel crop/,
        );
    });

    it('finds a photo whose EXIF rotation makes it display at another size than its label', async () => {
        const f = fixture();
        await f.grey('e.png', 3, 2, [0, 0, 0, 0, 0, 0]);
        await f.image('e.jpg', 3, 2, 6);
        const r = await check(f, NO_RESIZE);
        assert.deepEqual(kinds(r), ['dataExifRotated']);
        assert.match(
            r.findings[0].message,
            /e\.jpg has EXIF orientation 6, so it displays as 2x3 while e\.png is 3x2/,
        );
        const g = fixture();
        await g.grey('m.png', 3, 2, [0, 0, 0, 0, 0, 0]);
        await g.image('m.jpg', 4, 4);
        assert.deepEqual(kinds(await check(g, NO_RESIZE)), ['dataSizeMismatch']);
    });

    it('names labels without images and images without labels', async () => {
        const f = fixture();
        await f.grey('a.png', 1, 1, [0]);
        await f.grey('b.png', 1, 1, [0]);
        await f.image('a.jpg', 1, 1);
        await f.image('c.jpg', 1, 1);
        const r = await check(f, NO_RESIZE);
        assert.match(finding(r, 'dataUnpaired').message, /1 label\(s\) have no image.*: b\.png/);
        assert.match(finding(r, 'dataExtra').message, /1 image\(s\) have no label.*: c\.jpg/);
        assert.equal(r.samples, 1);
    });

    it('points unpaired and unused images at image_dir, the folder the message is about', async () => {
        const f = fixture();
        await f.grey('a.png', 1, 1, [0]);
        await f.grey('b.png', 1, 1, [0]);
        await f.image('a.jpg', 1, 1);
        await f.image('c.jpg', 1, 1);
        const r = await check(f, NO_RESIZE);
        const text = customDataset('d', NO_RESIZE);
        const block = [...analyze(text)!.model.symbols.get('dataset')!.values()][0];
        for (const kind of ['dataUnpaired', 'dataExtra']) {
            const span = anchorSpan(block, finding(r, kind).anchor);
            assert.equal(text.slice(span.start, span.end), '"image"', kind);
        }
    });

    it('says a check stopped by its sample limit in plain words', async () => {
        const f = fixture();
        for (const n of ['a', 'b', 'c']) {
            await f.grey(`${n}.png`, 1, 1, [0]);
            await f.image(`${n}.jpg`, 1, 1);
        }
        const r = await check(f, NO_RESIZE, new NodeDatasetFiles(), {
            timeMs: 60000,
            maxSamples: 2,
        });
        assert.match(
            finding(r, 'dataPartial').message,
            /Checked 2 of 3 samples, .* \(stopped by the limit of 2 samples per check\);/,
        );
    });

    it('opens a file again only when its mtime or size changed', async () => {
        const f = fixture();
        const a = await f.grey('a.png', 1, 1, [0]);
        await f.grey('b.png', 1, 1, [0]);
        await f.image('a.jpg', 1, 1);
        await f.image('b.jpg', 1, 1);
        const real = new NodeDatasetFiles();
        let opened = 0;
        const counting: DatasetFiles = {
            stat: (p) => real.stat(p),
            index: (o, stop) => real.index(o, stop),
            classFile: (p) => real.classFile(p),
            palettesIn: (d) => real.palettesIn(d),
            imageHeader: (p) => real.imageHeader(p),
            inspectLabel: (p, o) => {
                opened++;
                return real.inspectLabel(p, o);
            },
        };
        const checker = new DatasetChecker(counting);
        const t = target(customDataset('d', NO_RESIZE), f.root);
        await checker.run(t, GO);
        assert.equal(opened, 2);
        await checker.run(t, GO);
        assert.equal(opened, 2);
        fs.utimesSync(a, new Date(), new Date(Date.now() + 5000));
        await checker.run(t, GO);
        assert.equal(opened, 3);
    });

    it('stops when cancelled', async () => {
        const f = fixture();
        await f.grey('a.png', 1, 1, [0]);
        await f.image('a.jpg', 1, 1);
        const r = await new DatasetChecker(new NodeDatasetFiles()).run(
            target(customDataset('d', NO_RESIZE), f.root),
            { isCancellationRequested: true },
        );
        assert.equal(r, undefined);
    });

    it('cancels a check superseded by an edit and keeps only the newer result', async () => {
        const f = fixture();
        await f.grey('a.png', 3, 2, [0, 1, 7, 0, 1, 1]);
        await f.image('a.jpg', 3, 2);
        fs.writeFileSync(path.join(f.root, 'cfg.spade'), '');
        const uri = pathToFileURL(path.join(f.root, 'cfg.spade')).href;
        const checks = new DatasetChecks(new NodeDatasetFiles());
        const updates: string[] = [];
        checks.onDidUpdate = (u) => updates.push(u);
        const v1 = analyze(customDataset('d', `    classes = 5\n${NO_RESIZE}`))!;
        const v2 = analyze(customDataset('d', `    classes = 8\n${NO_RESIZE}`))!;
        checks.update(uri, v1);
        checks.update(uri, v2);
        await checks.checkNow(uri, v2, 'd', { timeMs: 4000, maxSamples: 10 });
        // The first run was cancelled by the second, the second by the explicit check.
        assert.deepEqual(updates, [uri]);
        assert.equal(
            checks.result(uri, 'd')!.key,
            target(customDataset('d', `    classes = 8\n${NO_RESIZE}`), f.root).key,
        );
        assert.deepEqual(checks.diagnostics(uri, v1), []);
        assert.deepEqual(checks.diagnostics(uri, v2), []);
        assert.match(checks.hoverSection(uri, 'd') ?? '', /\| 7 \|/);
    });

    it('spreads a partial check over the whole dataset', () => {
        const order = spreadOrder(1000);
        assert.deepEqual(
            [...order].sort((a, b) => a - b),
            [...Array(1000).keys()],
        );
        const first = order.slice(0, 8).sort((a, b) => a - b);
        assert.ok(first[0] < 125 && first[7] >= 875, String(first));
    });

    describe('on 100,000 files', () => {
        const n = 50_000;
        let f: FixtureDataset;
        before(function () {
            this.timeout(120000);
            f = fixture();
            for (let i = 0; i < n; i++) {
                fs.writeFileSync(path.join(f.labels, `s${i}.png`), '');
                fs.writeFileSync(path.join(f.images, `s${i}.jpg`), '');
            }
        });
        const options = () => target(customDataset('d', NO_RESIZE), f.root).options;

        it('finishes within its time budget and says it was partial', async function () {
            this.timeout(120000);
            const budget = { timeMs: 4000, maxSamples: 1_000_000 };
            const loop = watchLoop();
            const started = Date.now();
            const r = await check(f, NO_RESIZE, new NodeDatasetFiles(), budget);
            const elapsed = Date.now() - started;
            const turns = loop.stop();
            assert.equal(r.samples, n);
            assert.ok(r.partial && r.inspected < n, `${r.inspected} of ${n}`);
            // One file in flight when the budget runs out may finish after it.
            assert.ok(elapsed < budget.timeMs + 500, `took ${elapsed} ms`);
            assert.ok(r.elapsedMs <= elapsed);
            assert.match(
                finding(r, 'dataPartial').message,
                new RegExp(`of ${n} samples.*time budget 4 s`),
            );
            if (r.inspected > 0)
                assert.match(finding(r, 'dataUnreadable').message, /cannot be read/);
            // The server answers requests between these turns, listing included.
            assert.ok(turns.maxGapMs < 200, `the event loop stalled for ${turns.maxGapMs} ms`);
        });

        it('lists, sorts and pairs them without holding the event loop, as the trainer does', async function () {
            this.timeout(120000);
            const loop = watchLoop();
            const index = await new NodeDatasetFiles().index(options(), GO);
            const turns = loop.stop();
            assert.ok(turns.ticks >= 5, `the event loop turned ${turns.ticks} times`);
            assert.ok(turns.maxGapMs < 200, `the event loop stalled for ${turns.maxGapMs} ms`);
            // The same index, byte for byte, as the blocking one the data loader uses.
            assert.deepEqual(index, indexDataset(options()));
            assert.equal(index?.entries.length, n);
            assert.equal(path.basename(index.entries[10].label), 's10.png');
        });

        it('stops listing soon after a newer check supersedes it', async function () {
            this.timeout(120000);
            let superseded = false;
            const token = {
                get isCancellationRequested() {
                    return superseded;
                },
            };
            const listed: Array<DatasetIndex | undefined> = [];
            class Recording extends NodeDatasetFiles {
                override async index(o: DatasetOptions, stop: typeof token) {
                    listed.push(await super.index(o, stop));
                    return listed[listed.length - 1];
                }
            }
            const run = new DatasetChecker(new Recording()).run(
                target(customDataset('d', NO_RESIZE), f.root),
                token,
            );
            // A timer fires mid-listing only because listing leaves the event loop free.
            await new Promise((resolve) => setTimeout(resolve, 50));
            superseded = true;
            const at = Date.now();
            assert.equal(await run, undefined);
            const after = Date.now() - at;
            assert.deepEqual(listed, [undefined], 'the listing ran to its end');
            assert.ok(after < 200, `went on for ${after} ms after being superseded`);
        });
    });

    describe('on the COCO-Stuff sample', () => {
        it('finds 255 in every map without dontcare, and ids up to 180 beyond 150 classes', async function () {
            const root = requireShared(this, 'data', 'coco_stuff');
            const text = `dataset coco {\n    mode = coco\n    root = "${root}"\n    dontcare = off\n    classes = 150\n}\n`;
            const r = await new DatasetChecker(new NodeDatasetFiles()).run(target(text, '/'), GO);
            assert.ok(r);
            assert.equal(r.samples, 13);
            assert.equal(r.partial, false);
            assert.match(finding(r, 'data255').message, /^13 label map\(s\) hold 255/);
            const bad = finding(r, 'dataOutOfRange');
            const values = [...bad.message.matchAll(/(\d+) \((\d+) px in (\d+) map/g)].map((m) =>
                Number(m[1]),
            );
            assert.ok(values.length > 0 && values.every((v) => v >= 150 && v !== 255));
            const beyond = ids(r).filter((v) => v >= 150 && v !== 255);
            assert.deepEqual(values, beyond.slice(0, 6));
            assert.ok(Math.max(...beyond) < 182);
            const md = histogramMarkdown(r, 150);
            assert.match(md, /13 samples/);
            assert.match(md, /\| 255 \| unlabeled \|/);
        });
    });
});
