/** The host side's vscode-free parts: ids codec, message checks, the page and its CSP, folders. */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { decodeIds, decodeImages, encodeIds } from '../../client/src/preview/codec';
import { previewCsp, previewHtml } from '../../client/src/preview/html';
import { idsFrom, parseWebviewMessage } from '../../client/src/preview/messages';
import { isInsideRoots, outsideRootsMessage } from '../../client/src/preview/roots';
import { idsFromLeBytes, leBytesOf } from '../../server/src/protocol/preview';

describe('label ids on the wire', () => {
    it('encodes 16-bit ids as little-endian base64 and back', () => {
        const ids = Uint16Array.from([0x0102, 0xfffe, 7, 300, 0, 65535]);
        const enc = encodeIds(ids, 3, 2);
        assert.equal(enc.dtype, 'uint16');
        assert.deepEqual(
            [...Buffer.from(enc.data, 'base64').subarray(0, 4)],
            [0x02, 0x01, 0xfe, 0xff],
        );
        assert.deepEqual(decodeIds(enc), ids);
    });

    it('round-trips 8-bit ids byte for byte', () => {
        const ids = Uint8Array.from({ length: 12 }, (_, i) => (i * 37) % 256);
        const enc = encodeIds(ids, 4, 3);
        assert.equal(enc.dtype, 'uint8');
        assert.equal(enc.data, Buffer.from(ids).toString('base64'));
        assert.deepEqual(decodeIds(enc), ids);
    });

    it('reads ids from a view into a larger buffer', () => {
        const big = new Uint16Array([9, 9, 513, 2, 9]);
        const view = big.subarray(2, 4);
        assert.deepEqual([...leBytesOf(view)], [1, 2, 2, 0]);
    });

    it('names both sizes when the byte count does not fit', () => {
        assert.throws(
            () => idsFromLeBytes(new Uint8Array(5), 'uint16', 2, 2),
            /expected 2x2x2 = 8 bytes, got 5/,
        );
    });

    it('decodes base64 PNG images for the webview', () => {
        const png = Buffer.from([137, 80, 78, 71]);
        const [im] = decodeImages({
            images: [{ width: 1, height: 2, png: png.toString('base64') }],
            elapsedMs: 1,
        });
        assert.deepEqual([...im.png], [...png]);
        assert.equal(im.height, 2);
    });
});

describe('messages from the webview', () => {
    it('accepts a well-formed synthesize message and clamps samples', () => {
        const ids = new Uint8Array(6);
        const m = parseWebviewMessage(
            { type: 'synthesize', requestId: 3, ids, width: 3, height: 2, seed: 1, samples: 50 },
            6,
            'uint8',
        );
        assert.ok(typeof m !== 'string' && m.type === 'synthesize');
        assert.equal(m.samples, 8);
        assert.equal(m.ids, ids);
    });

    it('turns ids that arrive as a plain array or object into a typed array of the mask dtype', () => {
        assert.deepEqual(idsFrom([1, 2, 300], 3, 'uint16'), Uint16Array.from([1, 2, 300]));
        assert.deepEqual(idsFrom({ 0: 4, 1: 5 }, 2, 'uint8'), Uint8Array.from([4, 5]));
        assert.equal(idsFrom([1, -2], 2, 'uint8'), undefined);
    });

    it('rejects ids of the wrong size, bad numbers and unknown types with a reason', () => {
        assert.equal(
            parseWebviewMessage(
                { type: 'save', ids: new Uint8Array(5), width: 2, height: 3 },
                6,
                'uint8',
            ),
            'save: bad ids or size',
        );
        assert.equal(
            parseWebviewMessage({ type: 'cancel', requestId: 'x' }, 6, 'uint8'),
            'cancel: bad requestId',
        );
        assert.match(
            parseWebviewMessage({ type: 'rm -rf' }, 6, 'uint8') as string,
            /unknown message type/,
        );
        assert.equal(parseWebviewMessage(null, 6, 'uint8'), 'message is not an object');
    });

    it('takes an edit with runs inside the mask, and undo/redo with a known action only', () => {
        const ids = new Uint8Array(6);
        const edit = (runs: unknown): unknown =>
            parseWebviewMessage({ type: 'edit', label: 'Fill', ids, runs, dirty: 1 }, 6, 'uint8');
        assert.deepEqual(edit(Uint32Array.of(0, 2, 4, 2)), {
            type: 'edit',
            label: 'Fill',
            ids,
            runs: Uint32Array.of(0, 2, 4, 2),
        });
        assert.deepEqual(edit([1, 1]), {
            type: 'edit',
            label: 'Fill',
            ids,
            runs: Uint32Array.of(1, 1),
        });
        for (const bad of [[0, 2, 1, 1], [5, 2], [0], [2, 0], 'x'])
            assert.equal(edit(bad), 'edit: bad ids or runs', JSON.stringify(bad));
        assert.deepEqual(parseWebviewMessage({ type: 'undoRedo', action: 'redo' }, 6, 'uint8'), {
            type: 'undoRedo',
            action: 'redo',
        });
        assert.equal(
            parseWebviewMessage({ type: 'undoRedo', action: 'revert' }, 6, 'uint8'),
            'undoRedo: bad action "revert"',
        );
    });
});

describe('the preview page', () => {
    const html = previewHtml({
        cspSource: 'https://x.vscode-cdn.net',
        scriptUri: 'https://x/a.js',
        nonce: 'N0nce',
        title: 'a<b>.png',
    });

    it('allows scripts and styles only by nonce and loads nothing remote', () => {
        const csp = previewCsp({ cspSource: 'https://x.vscode-cdn.net', nonce: 'N0nce' });
        assert.match(csp, /^default-src 'none'/);
        assert.match(csp, /script-src 'nonce-N0nce'(;|$)/);
        assert.match(csp, /style-src 'nonce-N0nce'(;|$)/);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
        assert.ok(html.includes(`content="${csp}"`));
    });

    it('has exactly one script, carrying the nonce, and escapes the title', () => {
        assert.equal(html.match(/<script/g)?.length, 1);
        assert.match(html, /<script nonce="N0nce" src="https:\/\/x\/a.js"><\/script>/);
        assert.match(html, /<title>a&lt;b&gt;.png<\/title>/);
    });
});

describe('allowed folders', () => {
    const root = path.resolve('/work/ws');

    it('accepts files inside a root and refuses siblings, parents and escapes', () => {
        assert.ok(isInsideRoots(path.join(root, 'data', 'a.png'), [root]));
        assert.ok(
            !isInsideRoots(path.resolve('/work/ws2/a.png'), [root]),
            'a sibling with the same prefix',
        );
        assert.ok(!isInsideRoots(path.join(root, '..', 'b.png'), [root]));
        assert.ok(!isInsideRoots(root, [root]), 'the root itself is not a file in it');
        assert.ok(isInsideRoots(path.resolve('/runs/r1/x.png'), [root, path.resolve('/runs')]));
    });

    it('tells the user where the file is and what to do', () => {
        assert.match(
            outsideRootsMessage('/tmp/m.png'),
            /^\/tmp\/m\.png is outside the workspace folders and run folders.*Add its folder/,
        );
    });
});
