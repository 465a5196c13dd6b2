/**
 * Navigation and structure over stdio: definition, references, rename (with prepareRename),
 * document and workspace symbols (a config created or deleted on disk shows as soon as the
 * watcher reports it), folding, selection ranges, semantic tokens and formatting.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
    FileChangeType,
    type DocumentSymbol,
    type FoldingRange,
    type Location,
    type Position,
    type Range,
    type SelectionRange,
    type SemanticTokens,
    type SymbolInformation,
    type TextEdit,
    type WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { repoRoot } from '../support/shared';
import { docUri, marked, startServer, type TestServer } from './helpers';

const CONFIG = `dataset <|>coco { classes = 3 }
dataset other {}
generator g {}
train a { data = co<|>co  generator = g }
train b { data = coco }
`;

describe('navigation and structure over stdio', function () {
    this.timeout(60000);
    let s: TestServer;
    let ws: string;

    before(async function () {
        this.timeout(120000);
        ws = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-ws-'));
        fs.mkdirSync(path.join(ws, 'sub'));
        fs.writeFileSync(path.join(ws, 'one.spade'), 'dataset alpha {}\ngenerator beta {}\n');
        fs.writeFileSync(path.join(ws, 'sub', 'two.spade'), 'train alpha_run { data = alpha }\n');
        fs.writeFileSync(path.join(ws, 'readme.txt'), 'dataset nope {}\n');
        s = await startServer([pathToFileURL(ws).toString()]);
    });
    after(() => {
        s?.stop();
        fs.rmSync(ws, { recursive: true, force: true });
    });

    const req = <T>(method: string, params: object): Promise<T> =>
        s.conn.sendRequest(method, params);
    const textAt = (text: string, r: Range): string => {
        const d = TextDocument.create('x', 'spade', 1, text);
        return d.getText(r);
    };

    it('goes from a reference to the block it names', async () => {
        const uri = docUri();
        const [decl, use] = await s.openMarked(uri, CONFIG);
        const loc = await req<Location>('textDocument/definition', {
            textDocument: { uri },
            position: use,
        });
        assert.deepEqual(loc.range.start, decl);
        assert.equal(loc.uri, uri);
    });

    it('finds every reference, with or without the declaration', async () => {
        const uri = docUri();
        const [decl] = await s.openMarked(uri, CONFIG);
        const all = await req<Location[]>('textDocument/references', {
            textDocument: { uri },
            position: decl,
            context: { includeDeclaration: true },
        });
        const { text } = marked(CONFIG);
        assert.equal(all.length, 3);
        for (const l of all) assert.equal(textAt(text, l.range), 'coco');
        const uses = await req<Location[]>('textDocument/references', {
            textDocument: { uri },
            position: decl,
            context: { includeDeclaration: false },
        });
        assert.equal(uses.length, 2);
    });

    it('renames a block and every reference to it; prepareRename gives the word', async () => {
        const uri = docUri();
        const [, use] = await s.openMarked(uri, CONFIG);
        const prep = await req<{ range: Range; placeholder: string }>(
            'textDocument/prepareRename',
            {
                textDocument: { uri },
                position: use,
            },
        );
        assert.equal(prep.placeholder, 'coco');
        const edit = await req<WorkspaceEdit>('textDocument/rename', {
            textDocument: { uri },
            position: use,
            newName: 'stuff',
        });
        const edits = edit.changes?.[uri] ?? [];
        const { text } = marked(CONFIG);
        const after = TextDocument.applyEdits(TextDocument.create(uri, 'spade', 1, text), edits);
        assert.equal((after.match(/stuff/g) ?? []).length, 3);
        assert.ok(!/coco/.test(after));
    });

    it('refuses a rename onto an existing name or a non-name, saying why', async () => {
        const uri = docUri();
        const [decl] = await s.openMarked(uri, CONFIG);
        await assert.rejects(
            req('textDocument/rename', { textDocument: { uri }, position: decl, newName: 'other' }),
            /already exists/,
        );
        await assert.rejects(
            req('textDocument/rename', { textDocument: { uri }, position: decl, newName: '9x' }),
            /not a block name/,
        );
        const none = await req('textDocument/prepareRename', {
            textDocument: { uri },
            position: { line: 0, character: 2 },
        });
        assert.equal(none, null);
    });

    it('outlines blocks with their nested blocks and properties', async () => {
        const uri = docUri();
        await s.open(
            uri,
            fs.readFileSync(path.join(repoRoot, 'samples', 'coco-stuff-256.spade'), 'utf8'),
        );
        const syms = await req<DocumentSymbol[]>('textDocument/documentSymbol', {
            textDocument: { uri },
        });
        assert.deepEqual(
            syms.map((x) => `${x.detail} ${x.name}`),
            ['dataset coco', 'generator spade_g', 'discriminator multiscale_d', 'train coco_256'],
        );
        const ds = syms[0].children ?? [];
        assert.ok(
            ds.some((c) => c.name === 'preprocess' && c.children?.some((p) => p.name === 'crop')),
        );
    });

    it('lists workspace symbols from configs on disk and open documents', async () => {
        const found = await req<SymbolInformation[]>('workspace/symbol', { query: 'alph' });
        const names = found.map((f) => f.name).sort();
        assert.deepEqual(names, ['alpha', 'alpha_run']);
        assert.ok(
            found.every(
                (f) => f.location.uri.startsWith('file://') && f.location.uri.endsWith('.spade'),
            ),
        );
        const all = await req<SymbolInformation[]>('workspace/symbol', { query: '' });
        assert.ok(all.some((f) => f.name === 'beta'));
        assert.ok(!all.some((f) => f.name === 'nope'));
    });

    it('lists a config created on disk once the watcher reports it, and drops it once deleted', async () => {
        const started = Date.now();
        // This walk of the workspace would otherwise be reused for 5 s.
        assert.deepEqual(await req<SymbolInformation[]>('workspace/symbol', { query: 'gam' }), []);
        const file = path.join(ws, 'sub', 'three.spade');
        const uri = pathToFileURL(file).toString();
        fs.writeFileSync(file, 'dataset gamma {}\ngenerator gamma_g {}\n');
        await s.conn.sendNotification('workspace/didChangeWatchedFiles', {
            changes: [{ uri, type: FileChangeType.Created }],
        });
        const found = await req<SymbolInformation[]>('workspace/symbol', { query: 'gam' });
        assert.deepEqual(found.map((f) => f.name).sort(), ['gamma', 'gamma_g']);
        assert.ok(found.every((f) => f.location.uri === uri));
        fs.rmSync(file);
        await s.conn.sendNotification('workspace/didChangeWatchedFiles', {
            changes: [{ uri, type: FileChangeType.Deleted }],
        });
        assert.deepEqual(await req<SymbolInformation[]>('workspace/symbol', { query: 'gam' }), []);
        const elapsed = Date.now() - started;
        assert.ok(elapsed < 4000, `took ${elapsed} ms, so the 5 s reuse may have expired`);
    });

    it('folds blocks and comment runs', async () => {
        const uri = docUri();
        await s.open(
            uri,
            '// a\n// b\ndataset d {\n    mode = coco\n    preprocess {\n        crop = 256\n    }\n}\n',
        );
        const folds = await req<FoldingRange[]>('textDocument/foldingRange', {
            textDocument: { uri },
        });
        const spans = folds.map((f) => `${f.startLine}-${f.endLine}${f.kind ? ` ${f.kind}` : ''}`);
        assert.deepEqual(spans.sort(), ['0-1 comment', '2-6', '4-5'].sort());
    });

    it('expands the selection from a word to the whole document', async () => {
        const uri = docUri();
        const [at] = await s.openMarked(uri, 'dataset d {\n    preprocess { crop = 2<|>56 }\n}\n');
        const [sel] = await req<SelectionRange[]>('textDocument/selectionRange', {
            textDocument: { uri },
            positions: [at],
        });
        const { text } = marked('dataset d {\n    preprocess { crop = 256 }\n}\n');
        const chain: string[] = [];
        for (let r: SelectionRange | undefined = sel; r; r = r.parent)
            chain.push(textAt(text, r.range));
        assert.equal(chain[0], '256');
        assert.equal(chain[1], 'crop = 256');
        assert.ok(chain.includes('preprocess { crop = 256 }'));
        assert.equal(chain[chain.length - 1], text);
        for (let i = 1; i < chain.length; i++) assert.ok(chain[i].includes(chain[i - 1]));
    });

    it('colours block kinds, names, keys and values with semantic tokens', async () => {
        const uri = docUri();
        const text = 'dataset d { mode = coco  classes = 3  root = "x" }\ntrain t { data = d }\n';
        await s.open(uri, text);
        const legend = s.init.capabilities.semanticTokensProvider?.legend.tokenTypes ?? [];
        const { data } = await req<SemanticTokens>('textDocument/semanticTokens/full', {
            textDocument: { uri },
        });
        assert.equal(data.length % 5, 0);
        const decoded: string[] = [];
        let line = 0;
        let ch = 0;
        const lines = text.split('\n');
        for (let i = 0; i < data.length; i += 5) {
            line += data[i];
            ch = data[i] === 0 ? ch + data[i + 1] : data[i + 1];
            decoded.push(`${lines[line].slice(ch, ch + data[i + 2])}:${legend[data[i + 3]]}`);
        }
        assert.deepEqual(decoded, [
            'dataset:keyword',
            'd:class',
            'mode:property',
            'coco:enumMember',
            'classes:property',
            '3:number',
            'root:property',
            '"x":string',
            'train:keyword',
            't:class',
            'data:property',
            'd:class',
        ]);
    });

    async function formatted(text: string): Promise<string> {
        const uri = docUri();
        await s.open(uri, text);
        const edits = await req<TextEdit[]>('textDocument/formatting', {
            textDocument: { uri },
            options: { tabSize: 4, insertSpaces: true },
        });
        return TextDocument.applyEdits(TextDocument.create(uri, 'spade', 1, text), edits);
    }

    it('formats: aligns, keeps comments, and is idempotent', async () => {
        const messy =
            'dataset   d{ // data\n  mode=coco # m\n      classes = 3\n\n\n  preprocess{crop=256 load=286}\n}\n';
        const once = await formatted(messy);
        assert.equal(
            once,
            'dataset d { // data\n    mode    = coco # m\n    classes = 3\n\n    preprocess { crop = 256  load = 286 }\n}\n',
        );
        assert.equal(await formatted(once), once);
    });

    it('leaves text with syntax errors alone', async () => {
        const broken = 'dataset d {\n  mode = \n';
        assert.equal(await formatted(broken), broken);
    });

    it('finds nothing to change in the samples', async function () {
        for (const f of fs
            .readdirSync(path.join(repoRoot, 'samples'))
            .filter((n) => n.endsWith('.spade'))) {
            const text = fs.readFileSync(path.join(repoRoot, 'samples', f), 'utf8');
            assert.equal(await formatted(text), text, `samples/${f} is not formatted`);
        }
    });

    it('answers positions past the end without failing', async () => {
        const uri = docUri();
        await s.open(uri, 'dataset d {}\n');
        const far: Position = { line: 99, character: 99 };
        await req('textDocument/hover', { textDocument: { uri }, position: far });
        await req('textDocument/completion', { textDocument: { uri }, position: far });
        await req('textDocument/definition', { textDocument: { uri }, position: far });
        assert.equal(s.child.exitCode, null);
    });
});
