/** Offsets to LSP positions on LF, CRLF and lone CR files, after tabs and astral characters. */
import * as assert from 'node:assert/strict';
import { lex } from '../../server/src/language/lexer';
import { LineIndex } from '../../server/src/language/text';

describe('positions and tokens', () => {
    it('counts lines ending in LF, CRLF and a lone CR', () => {
        const li = new LineIndex('a\nb\r\nc\rd');
        assert.equal(li.lineCount, 4);
        assert.deepEqual(li.positionAt(5), { line: 2, character: 0 });
        assert.deepEqual(li.positionAt(7), { line: 3, character: 0 });
        assert.equal(
            li.offsetAt({ line: 1, character: 99 }),
            3,
            'a character past the line end clamps before its line break',
        );
    });

    it('counts a tab as one unit and an astral character as two', () => {
        const li = new LineIndex('\t\u{1F600}x');
        assert.deepEqual(li.positionAt(3), { line: 0, character: 3 });
        assert.equal(li.offsetAt({ line: 0, character: 3 }), 3);
    });

    it('scans numbers, strings, words and punctuation, keeping comments aside', () => {
        const r = lex('crop = -2.5e-3 // c\nroot = "a\\"b" # d\n[x, y] /* e */');
        assert.deepEqual(
            r.tokens.map((t) => t.kind),
            [
                'ident',
                '=',
                'number',
                'ident',
                '=',
                'string',
                '[',
                'ident',
                ',',
                'ident',
                ']',
                'eof',
            ],
        );
        assert.equal(r.tokens[2].value, -0.0025);
        assert.equal(r.tokens[5].value, 'a"b');
        assert.equal(r.comments.length, 3);
        assert.ok(r.tokens[3].newlineBefore);
        assert.deepEqual(r.errors, []);
    });

    it('makes an astral character outside a string one bad token, not two halves', () => {
        const r = lex('\u{1F600}');
        assert.equal(r.errors.length, 1);
        assert.deepEqual([r.errors[0].start, r.errors[0].end], [0, 2]);
    });
});
