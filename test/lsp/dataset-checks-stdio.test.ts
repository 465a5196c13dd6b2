/**
 * Dataset checks through the language server over stdio: findings published as diagnostics
 * on the dataset block with related files, the dontcare quick fix, a re-check when a watched
 * label file changes, the explicit check request of the Check data lens, and hovers answered
 * while a check lists 100,000 files.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CodeLens, Diagnostic } from 'vscode-languageserver-protocol';
import type { CheckDatasetResult } from '../../server/src/protocol/dataset';
import { requireShared } from '../support/shared';
import { customDataset, FixtureDataset } from './dataset-fixtures';
import { StdioClient } from './stdio-client';

const has = (code: string) => (p: { diagnostics: Diagnostic[] }) =>
    p.diagnostics.some((d) => d.code === code);

describe('dataset checks over stdio', function () {
    this.timeout(60000);
    const client = new StdioClient();
    const made: FixtureDataset[] = [];

    before(async function () {
        this.timeout(60000);
        await client.start({ workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } });
    });
    after(() => {
        client.stop();
        made.forEach((f) => f.remove());
    });

    it('publishes 255-without-dontcare on COCO-Stuff with files attached, and the fix turns dontcare on', async function () {
        const root = requireShared(this, 'data', 'coco_stuff');
        const f = new FixtureDataset();
        made.push(f);
        const text = `dataset coco {\n    mode = coco\n    root = "${root}"\n    dontcare = off\n}\n`;
        const { uri } = f.config(text);
        await client.open(uri, text);
        const p = await client.diagnostics(uri, has('SP6006'));
        const d = p.diagnostics.find((x) => x.code === 'SP6006')!;
        assert.equal(d.severity, 1);
        assert.match(d.message, /^Dataset 'coco' on disk: 13 label map\(s\) hold 255/);
        // On the dontcare value, with the label maps as related information.
        assert.equal(d.range.start.line, 3);
        const related = d.relatedInformation!.map((r) => r.location.uri);
        assert.equal(related.length, 10);
        assert.ok(
            related.every((u) =>
                u.startsWith(pathToFileURL(path.join(root, 'train_label')).href + '/'),
            ),
        );
        const [fix] = await client.conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
            textDocument: { uri },
            range: d.range,
            context: { diagnostics: [d] },
        });
        assert.equal(fix.title, 'Turn dontcare on');
        const mark = client.published.length;
        const version = await client.apply(uri, fix.edit);
        assert.match(client.text(uri), /dontcare = on/);
        // The language diagnostics come at once; the dataset's after its re-check.
        await client.diagnostics(uri, (q) => q.version === version, mark);
        const result = await client.conn.sendRequest<CheckDatasetResult>('spade/checkDataset', {
            uri,
        });
        assert.deepEqual(
            result.summaries.map((s) => [s.dataset, s.samples, s.inspected, s.errors]),
            [['coco', 13, 13, 0]],
        );
        const last = client.published.filter((q) => q.uri === uri).at(-1)!;
        assert.ok(!has('SP6006')(last), JSON.stringify(last.diagnostics));
        await client.close(uri);
    });

    it('re-checks when a watched label file changes', async () => {
        const f = new FixtureDataset();
        made.push(f);
        const label = await f.grey('a.png', 3, 2, [0, 1, 7, 0, 1, 1]);
        await f.image('a.jpg', 3, 2);
        const text = customDataset('tiny', '    classes = 5\n    preprocess { mode = none }\n');
        const { uri } = f.config(text);
        await client.open(uri, text);
        const p = await client.diagnostics(uri, has('SP6005'));
        const d = p.diagnostics.find((x) => x.code === 'SP6005')!;
        assert.match(d.message, /7 \(1 px in 1 map\(s\), e\.g\. a\.png\)/);
        assert.equal(d.relatedInformation![0].location.uri, pathToFileURL(label).href);
        const lenses = await client.conn.sendRequest<CodeLens[]>('textDocument/codeLens', {
            textDocument: { uri },
        });
        assert.match(lenses[0].command!.title, /Check data \(1 sample, 1 problem\)/);
        assert.deepEqual(lenses[1].command!.arguments, [uri, 'tiny', label]);
        const hover = await client.conn.sendRequest<{ contents: { value: string } }>(
            'textDocument/hover',
            { textDocument: { uri }, position: { line: 0, character: 9 } },
        );
        // The class histogram from disk: id 7 (out of range) in 1 pixel of 1 map.
        assert.match(hover.contents.value, /\| 7 \| \(out of range\) \| 1 \| 16\.7% \| 1 \|/);
        await f.grey('a.png', 3, 2, [0, 1, 2, 0, 1, 1]);
        const mark = client.published.length;
        await client.conn.sendNotification('workspace/didChangeWatchedFiles', {
            changes: [{ uri: pathToFileURL(label).href, type: 2 }],
        });
        const q = await client.diagnostics(uri, () => true, mark);
        assert.ok(!has('SP6005')(q), JSON.stringify(q.diagnostics));
        await client.close(uri);
    });

    it('offers to map RGB masks through a class file with colours found beside the dataset', async () => {
        const f = new FixtureDataset();
        made.push(f);
        await f.rgb('c.png', 2, 1, [200, 10, 10, 10, 200, 10]);
        await f.image('c.jpg', 2, 1);
        fs.writeFileSync(path.join(f.root, 'notes.json'), '{"names": 3}');
        fs.writeFileSync(
            path.join(f.root, 'classes.json'),
            JSON.stringify({ names: ['a', 'b'], colors: ['#c80a0a', [10, 200, 10]] }),
        );
        const text = customDataset('rgb', '    preprocess { mode = none }\n');
        const { uri } = f.config(text);
        await client.open(uri, text);
        const p = await client.diagnostics(uri, has('SP6007'));
        const d = p.diagnostics.find((x) => x.code === 'SP6007')!;
        const [fix] = await client.conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
            textDocument: { uri },
            range: d.range,
            context: { diagnostics: [d] },
        });
        assert.equal(fix.title, 'Map the colours through "classes.json"');
        const mark = client.published.length;
        const version = await client.apply(uri, fix.edit);
        await client.conn.sendRequest('spade/checkDataset', { uri });
        const q = await client.diagnostics(uri, (x) => x.version === version, mark);
        const last = client.published.filter((x) => x.uri === uri).at(-1)!;
        assert.ok(!has('SP6007')(q) && !has('SP6007')(last), JSON.stringify(last.diagnostics));
        await client.close(uri);
    });

    it('answers hovers promptly while a background check lists 100,000 files', async function () {
        this.timeout(120000);
        const f = new FixtureDataset();
        made.push(f);
        for (let i = 0; i < 50_000; i++) {
            fs.writeFileSync(path.join(f.labels, `s${i}.png`), '');
            fs.writeFileSync(path.join(f.images, `s${i}.jpg`), '');
        }
        const text = customDataset('big', '    preprocess { mode = none }\n');
        const { uri } = f.config(text);
        const mark = client.published.length;
        await client.open(uri, text);
        // The check's result: it ran out of its 4 s budget (SP6015) after listing everything.
        let checked = false;
        const done = client.diagnostics(uri, has('SP6015'), mark, 60000);
        void done.finally(() => (checked = true)).catch(() => undefined);
        const waits: number[] = [];
        while (!checked) {
            const asked = performance.now();
            const hover = await client.conn.sendRequest('textDocument/hover', {
                textDocument: { uri },
                position: { line: 1, character: 5 },
            });
            waits.push(Math.round(performance.now() - asked));
            assert.ok(hover, 'no hover on mode');
            // One request at a time, a few per tick of the check, so the check is not starved.
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const p = await done;
        assert.match(p.diagnostics.find((d) => d.code === 'SP6015')!.message, /of 50000 samples/);
        assert.ok(waits.length >= 20, `only ${waits.length} hovers during the check`);
        assert.ok(Math.max(...waits) < 500, `hover waits (ms): ${waits.join(' ')}`);
        await client.close(uri);
    });

    it('does not look at the disk for configs that are not saved files', async () => {
        const uri = 'file:///nowhere/unsaved.spade';
        await client.open(uri, 'dataset d {\n    mode = coco\n    root = "/nowhere"\n}\n');
        const p = await client.diagnostics(uri, () => true);
        assert.deepEqual(p.diagnostics, []);
        const r = await client.conn.sendRequest<CheckDatasetResult>('spade/checkDataset', { uri });
        assert.match(r.message ?? '', /not saved on disk/);
        assert.ok(client.alive);
    });
});
