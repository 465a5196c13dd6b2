/**
 * Quick fixes over LSP stdio: for every diagnostic code that carries a fix, open a config
 * with the problem, ask for code actions, apply the first one, and see the diagnostic go.
 * Also the code lenses on train and dataset blocks.
 */
import * as assert from 'node:assert/strict';
import type { CodeAction, CodeLens, Diagnostic } from 'vscode-languageserver-protocol';
import { StdioClient } from './stdio-client';

/** [code, config text, title the applied fix must have] */
const CASES: Array<[string, string, RegExp]> = [
    ['SP1010', 'generator g { ngf 64 }\n', /Insert '='/],
    ['SP1010', 'dataset d {\n    mode = coco\n}\ngenerator g\n    ngf = 64\n}\n', /Insert '\{'/],
    ['SP1011', 'generator g {\n    ngf = 64\n', /Insert '\}'/],
    ['SP1012', 'dataset d {\n    mode = coco\n    portraits = [on\n}\n', /Insert '\]'/],
    ['SP2001', 'datset d {\n}\n', /Change to 'dataset'/],
    ['SP2002', 'generator g { upsamplng = more }\n', /Change to 'upsampling'/],
    ['SP2003', 'generator g {\n    ngf = 64\n    ngf = 32\n}\n', /Remove 'ngf'/],
    [
        'SP2005',
        'dataset d {\n    preprocess { crop = 256 }\n    preprocess { crop = 256 }\n}\n',
        /Remove 'preprocess'/,
    ],
    ['SP2006', 'generator {\n}\n', /Insert 'my_generator'/],
    ['SP2007', 'dataset d {\n    preprocess p { }\n}\n', /Remove 'p'/],
    ['SP2008', 'dataset data {}\ntrain t {\n    data = dat\n}\n', /Change to 'data'/],
    ['SP2009', 'train t {\n}\n', /Add 'data ='/],
    ['SP3001', 'generator g { upsampling = "more" }\n', /Change to 'more'/],
    ['SP3003', 'generator g { upsampling = mroe }\n', /Change to 'more'/],
    [
        'SP4001',
        'dataset d {\n    mode = coco\n    preprocess {\n        crop = 250\n    }\n}\n',
        /Use crop 224/,
    ],
    [
        'SP4002',
        'dataset d {\n    mode = coco\n    preprocess {\n        load = 300\n        crop = 256\n        aspect = 1.5\n    }\n}\n',
        /Use crop 192/,
    ],
    [
        'SP4004',
        'dataset d { mode = coco }\ngenerator g { input_channels = 10 }\ntrain t {\n    data = d\n    generator = g\n}\n',
        /Change to '184'/,
    ],
    ['SP4005', 'dataset d {\n    mode = ade20k\n    instances = on\n}\n', /Change to 'off'/],
    ['SP4006', 'dataset d {\n    mode = coco\n    dontcare = off\n}\n', /Turn dontcare on/],
    [
        'SP4007',
        'generator g {\n    layers {\n        resblock { channels = 64 }\n        conv { channels = 4 }\n    }\n}\n',
        /Change to '3'/,
    ],
    [
        'SP4008',
        'dataset d {}\ntrain t {\n    data = d\n    epochs = 0\n    decay_epochs = 0\n}\n',
        /Change to '1'/,
    ],
    ['SP4009', 'generator g { norm = syncbatch }\n', /Use batch norm/],
    [
        'SP4010',
        'dataset d {\n    mode = coco\n    preprocess {\n        load = 200\n        crop = 256\n    }\n}\n',
        /Change to '200'/,
    ],
    [
        'SP4011',
        'dataset d {\n    mode = coco\n    preprocess {\n        mode = scale_width\n        load = 300\n        crop = 256\n    }\n}\n',
        /Change to '300'/,
    ],
    ['SP5001', 'generator g {\n    style = off\n    z_dim = 8\n}\n', /Remove 'z_dim'/],
];

describe('quick fixes and code lenses over stdio', function () {
    this.timeout(60000);
    const client = new StdioClient();

    before(async function () {
        this.timeout(60000);
        await client.start();
    });
    after(() => client.stop());

    const actionsFor = (uri: string, d: Diagnostic) =>
        client.conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
            textDocument: { uri },
            range: d.range,
            context: { diagnostics: [d], only: ['quickfix'] },
        });

    CASES.forEach(([code, text, title], i) => {
        it(`${code}: the fix '${String(title)}' makes the diagnostic go away`, async () => {
            const uri = `file:///ws/fix-${i}-${code}.spade`;
            await client.open(uri, text);
            const before = await client.diagnostics(uri, () => true);
            const d = before.diagnostics.find((x) => x.code === code);
            assert.ok(d, `${code} not reported: ${JSON.stringify(before.diagnostics)}`);
            const actions = await actionsFor(uri, d);
            assert.ok(actions.length > 0, 'no code action offered');
            const fix = actions[0];
            assert.match(fix.title, title);
            assert.equal(fix.kind, 'quickfix');
            const mark = client.published.length;
            const version = await client.apply(uri, fix.edit);
            const after = await client.diagnostics(uri, (p) => p.version === version, mark);
            assert.ok(
                !after.diagnostics.some((x) => x.code === code),
                `${code} still there after '${fix.title}':\n${client.text(uri)}\n${JSON.stringify(after.diagnostics)}`,
            );
            await client.close(uri);
        });
    });

    it('offers every valid crop size for a crop that does not fit', async () => {
        const uri = 'file:///ws/crops.spade';
        await client.open(
            uri,
            'dataset d {\n    mode = coco\n    preprocess {\n        crop = 250\n    }\n}\n',
        );
        const p = await client.diagnostics(uri, () => true);
        const d = p.diagnostics.find((x) => x.code === 'SP4001')!;
        const titles = (await actionsFor(uri, d)).map((a) => a.title);
        const offered = (d.data as { replacements: string[] }).replacements;
        assert.ok(offered.length >= 2);
        assert.deepEqual(
            titles,
            offered.map((c) => `Use crop ${c}`),
        );
    });

    it('removes a property with its whole line', async () => {
        const uri = 'file:///ws/remove.spade';
        await client.open(uri, 'generator g {\n    style = off\n    z_dim = 8\n}\n');
        const p = await client.diagnostics(uri, () => true);
        const d = p.diagnostics.find((x) => x.code === 'SP5001')!;
        const [fix] = await actionsFor(uri, d);
        await client.apply(uri, fix.edit);
        assert.equal(client.text(uri), 'generator g {\n    style = off\n}\n');
    });

    it('offers nothing for a diagnostic without a clear fix', async () => {
        const uri = 'file:///ws/nofix.spade';
        await client.open(uri, 'generator g { ngf = -1 }\n');
        const p = await client.diagnostics(uri, () => true);
        assert.equal(p.diagnostics[0].code, 'SP3002');
        assert.deepEqual(await actionsFor(uri, p.diagnostics[0]), []);
    });

    it('puts Train and Resume on train blocks and Check data and Preview on datasets', async () => {
        const uri = 'file:///ws/lens.spade';
        await client.open(uri, 'dataset d { mode = coco }\n\ntrain run1 {\n    data = d\n}\n');
        await client.diagnostics(uri, () => true);
        const lenses = await client.conn.sendRequest<CodeLens[]>('textDocument/codeLens', {
            textDocument: { uri },
        });
        const summary = lenses.map((l) => [
            l.range.start.line,
            l.command?.command,
            JSON.stringify(l.command?.arguments),
        ]);
        assert.deepEqual(summary, [
            [2, 'spade.lens.train', JSON.stringify([uri, 'run1'])],
            [2, 'spade.lens.resume', JSON.stringify([uri, 'run1'])],
            [0, 'spade.checkData', JSON.stringify([uri, 'd'])],
            [0, 'spade.previewMask', JSON.stringify([uri, 'd'])],
        ]);
        assert.match(lenses[2].command!.title, /Check data/);
    });
});
