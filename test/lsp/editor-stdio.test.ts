/**
 * Completion, hover and inlay hints through the built server over stdio, on inline documents
 * with cursor markers (test/lsp/helpers.ts), including half-typed text that does not parse.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InlayHint } from 'vscode-languageserver-protocol';
import { repoRoot } from '../support/shared';
import {
    completeAt,
    docUri,
    expectCompletion,
    expectHover,
    startServer,
    type TestServer,
} from './helpers';

describe('editor features over stdio', function () {
    this.timeout(60000);
    let s: TestServer;
    let tmp: string;

    before(async function () {
        this.timeout(120000);
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-editor-'));
        for (const d of ['data/photos', 'data/labels', 'data/labels/train', 'weights'])
            fs.mkdirSync(path.join(tmp, d), { recursive: true });
        fs.writeFileSync(path.join(tmp, 'data', 'classes.txt'), 'sky\n');
        fs.writeFileSync(path.join(tmp, 'data', 'notes.md'), '');
        fs.writeFileSync(path.join(tmp, 'weights', 'vgg19.safetensors'), '');
        s = await startServer();
    });
    after(() => {
        s?.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    const inTmp = (): string => pathToFileURL(path.join(tmp, `c${Math.random()}.spade`)).toString();

    it('announces the editor capabilities', () => {
        const c = s.init.capabilities;
        assert.ok(c.completionProvider && c.hoverProvider && c.inlayHintProvider);
        assert.ok(c.semanticTokensProvider?.legend.tokenTypes.includes('property'));
        assert.equal(c.documentFormattingProvider, true);
    });

    it('offers block kinds and whole-block snippets at top level', async () => {
        const items = await expectCompletion(s, '<|>', {
            includes: ['dataset', 'generator', 'discriminator', 'train', 'generator block'],
        });
        const snippet = items.find((i) => i.label === 'generator block');
        assert.match(snippet?.insertText ?? '', /ngf = \$\{\d+:64\}/);
        assert.match(snippet?.insertText ?? '', /upsampling = \$\{\d+:normal\}/);
    });

    it('offers only properties not yet set, and nested blocks, inside a block', async () => {
        await expectCompletion(s, 'dataset a {\n    mode = coco\n    <|>\n    classes = 3\n}\n', {
            includes: ['root', 'dontcare', 'preprocess'],
            excludes: ['mode', 'classes', 'ngf', 'dataset'],
        });
    });

    it('offers layer entries again and again, as one-line snippets', async () => {
        const items = await expectCompletion(
            s,
            'generator g {\n    layers {\n        resblock { channels = 64 }\n        <|>\n    }\n}\n',
            { includes: ['resblock', 'conv'] },
        );
        const res = items.find((i) => i.label === 'resblock');
        assert.match(
            res?.insertText ?? '',
            /^resblock \{ channels = \$\{1:\} {2}resample = \$\{2:none\} \}$/,
        );
    });

    it('offers enum values, booleans and the names of blocks of the right kind', async () => {
        await expectCompletion(s, 'dataset a {\n    mode = <|>\n}\n', {
            exactly: ['coco', 'ade20k', 'cityscapes', 'custom', 'facades'],
        });
        await expectCompletion(s, 'dataset a { dontcare = o<|> }\n', { includes: ['on', 'off'] });
        await expectCompletion(
            s,
            'dataset d1 {}\ndataset d2 {}\ngenerator g {}\ntrain t {\n    data = <|>\n}\n',
            { exactly: ['d1', 'd2'] },
        );
    });

    it('completes inside half-typed text that does not parse', async () => {
        await expectCompletion(
            s,
            'dataset a {\n    mode = cityscapes\n    cla<|>\ngenerator g {\n',
            {
                includes: ['classes'],
                excludes: ['mode'],
            },
        );
        await expectCompletion(s, 'generator g1 {}\ntrain t {\n    data = \n    generator = g<|>', {
            exactly: ['g1'],
        });
        await expectCompletion(
            s,
            'dataset a {\n    preprocess {\n        mode = resize_and_crop\n        <|>',
            {
                includes: ['crop', 'load'],
                excludes: ['mode', 'classes'],
            },
        );
        await expectCompletion(s, 'dataset a { preprocess { mode = <|>', {
            includes: ['resize_and_crop', 'fixed'],
        });
    });

    it('offers nothing inside comments', async () => {
        const items = await completeAt(s, 'dataset a {\n    // mode = <|>\n}\n');
        assert.deepEqual(items, []);
    });

    it('completes paths relative to the config, filtered by what the property expects', async () => {
        const folders = await completeAt(
            s,
            'dataset a {\n    image_dir = "data/<|>"\n}\n',
            inTmp(),
        );
        const labels = folders.map((i) => i.label);
        assert.deepEqual(labels.sort(), ['labels/', 'photos/']);
        // The photos folder ranks first for images, the labels folder first for label maps.
        const first = (xs: typeof folders) =>
            [...xs].sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''))[0].label;
        assert.equal(first(folders), 'photos/');
        const labelItems = await completeAt(s, 'dataset a { label_dir = "data/<|>" }\n', inTmp());
        assert.equal(first(labelItems), 'labels/');
        const edit = labelItems.find((i) => i.label === 'labels/')?.textEdit;
        assert.equal(edit && 'newText' in edit ? edit.newText : undefined, 'data/labels/');
        const classFiles = await completeAt(s, 'dataset a { class_file = "data/<|>" }\n', inTmp());
        assert.ok(classFiles.some((i) => i.label === 'classes.txt'));
        assert.ok(!classFiles.some((i) => i.label === 'notes.md'));
        const weights = await completeAt(
            s,
            'train t { loss { vgg_weights = "weights/<|>" } }\n',
            inTmp(),
        );
        assert.deepEqual(
            weights.map((i) => i.label),
            ['vgg19.safetensors'],
        );
        const nested = await completeAt(
            s,
            'dataset a { label_dir = "data/labels/<|>" }\n',
            inTmp(),
        );
        assert.deepEqual(
            nested.map((i) => i.label),
            ['train/'],
        );
        const quote = await completeAt(s, 'dataset a { root = <|> }\n', inTmp());
        assert.equal(quote[0]?.label, '""');
    });

    it('hovers a property with its doc, type, default and effective value', async () => {
        await expectHover(s, 'generator g {\n    upsam<|>pling = more\n}\n', [
            /How many times the latent grid is doubled/,
            /Type: one of normal, more, most/,
            /Default: `normal`/,
            /Effective:\*\* more \(set here\)/,
        ]);
        await expectHover(s, 'dataset c {\n    mode = cityscapes\n    clas<|>ses = many\n}\n', [
            /Effective:\*\* 35 \(cityscapes\)/,
        ]);
        await expectHover(s, 'generator g { n<|>gf = 32 }\n', [/Effective:\*\* 32 \(set here\)/]);
        await expectHover(s, 'dataset d { dont<|>care = off }\n', [
            /Effective:\*\* off \(set here\)/,
        ]);
    });

    it('hovers a block with the values its dataset mode implies', async () => {
        await expectHover(s, 'data<|>set c {\n    mode = cityscapes\n}\n', [
            /`classes`: 35 \(cityscapes\)/,
        ]);
    });

    it('hovers a network block with the shape and parameters of each of its layers', async () => {
        const coco = 'dataset c { mode = coco }\ntrain t { data = c  generator = g }\n';
        await expectHover(s, `${coco}gener<|>ator g { ngf = 64 }\n`, [
            /97,480,899 parameters/,
            /\| head_0 \| 1024×8×8 \|/,
            /\| up_3 \| 64×256×256 \|/,
            /\| conv_img \| 3×256×256 \|/,
        ]);
        await expectHover(s, 'discriminator d { sc<|>ales = 1 }\n', [
            /ndf|Number of discriminators/,
        ]);
        await expectHover(s, 'discri<|>minator d { scales = 1 }\n', [/over 1 scale/, /model4/]);
    });

    it('hovers enum values and references', async () => {
        await expectHover(s, 'dataset a { preprocess { mode = fi<|>xed } }\n', [
            /resize to exactly crop/,
        ]);
        await expectHover(s, 'dataset coco { classes = 7 }\ntrain t { data = co<|>co }\n', [
            /dataset `coco`/,
            /classes = 7/,
        ]);
    });

    async function hints(text: string): Promise<InlayHint[]> {
        const uri = docUri();
        await s.open(uri, text);
        const lines = text.split('\n').length;
        return s.conn.sendRequest('textDocument/inlayHint', {
            textDocument: { uri },
            range: { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } },
        });
    }
    const label = (h: InlayHint): string =>
        typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');

    it('shows output shape, parameters and training memory for the COCO sample', async () => {
        const text = fs.readFileSync(
            path.join(repoRoot, 'samples', 'coco-stuff-256.spade'),
            'utf8',
        );
        const hs = await hints(text);
        const lines = text.split('\n');
        const at = (h: InlayHint): string => lines[h.position.line];
        const gen = hs.find((h) => /3×256×256/.test(label(h)));
        assert.ok(gen, hs.map(label).join(' | '));
        assert.match(label(gen), /97\.5 M params/);
        const dis = hs.find((h) => /^→ 1×/.test(label(h)));
        assert.ok(dis && /^}/.test(at(dis)));
        const mem = hs.find((h) => /≈ .*(GiB|MiB) to train/.test(label(h)));
        assert.ok(mem, hs.map(label).join(' | '));
    });

    it('shows a shape after each layer of a layer-level generator and discriminator', async () => {
        const text = fs.readFileSync(path.join(repoRoot, 'samples', 'custom-small.spade'), 'utf8');
        const hs = (await hints(text)).map(label);
        // crop 128 with four up blocks: 8 -> 16 -> 32 -> 64 -> 128.
        for (const shape of [
            '256×8×8',
            '256×16×16',
            '128×32×32',
            '64×64×64',
            '32×128×128',
            '3×128×128',
        ])
            assert.ok(
                hs.some((h) => h.includes(shape)),
                `${shape} missing in ${hs.join(' | ')}`,
            );
        assert.ok(
            hs.some((h) => /^→ 32×65×65/.test(h)),
            hs.join(' | '),
        );
    });

    it('training memory grows with the batch size', async () => {
        const base = 'dataset d { mode = custom  label_dir = "l"  image_dir = "i" }\n';
        const mem = async (batch: number): Promise<number> => {
            const hs = await hints(`${base}train t { data = d  batch = ${batch} }\n`);
            const m = /≈ ([\d.]+) (GiB|MiB)/.exec(hs.map(label).join(' '));
            assert.ok(m);
            return Number(m[1]) * (m[2] === 'GiB' ? 1024 : 1);
        };
        assert.ok((await mem(16)) > (await mem(1)) * 2);
    });
});
