/** The formatter: layout rules, comments kept, idempotence on samples and mangled variants. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from '../../server/src/language/format';
import { parse } from '../../server/src/language/parser';
import { repoRoot } from '../support/shared';

const fmt = (text: string): string | undefined => format(parse(text));
const samples = (): string[] =>
    fs
        .readdirSync(path.join(repoRoot, 'samples'))
        .filter((f) => f.endsWith('.spade'))
        .map((f) => fs.readFileSync(path.join(repoRoot, 'samples', f), 'utf8'));

/** The non-comment, non-space content: formatting must never change it. */
const tokens = (t: string): string => t.replace(/\s+/g, '');

describe('formatter', () => {
    it('aligns =, trailing comments and layer tables', () => {
        const out = fmt(
            'generator g {\n  ngf = 64 // width\n  upsampling = more // n\n  layers {\n    resblock { channels = 1024 }\n    resblock { channels = 64 resample = up }\n    conv { channels = 3 }\n  }\n}\n',
        );
        assert.equal(
            out,
            'generator g {\n    ngf        = 64   // width\n    upsampling = more // n\n    layers {\n        resblock { channels = 1024 }\n        resblock { channels = 64    resample = up }\n        conv     { channels = 3 }\n    }\n}\n',
        );
    });

    it('keeps properties written on one line together and one-line blocks on one line', () => {
        assert.equal(
            fmt('train t {\n data=a generator=g\n loss{gan=hinge}\n}'),
            'train t {\n    data = a  generator = g\n    loss { gan = hinge }\n}\n',
        );
    });

    it('keeps CRLF line endings and at most one blank line', () => {
        assert.equal(
            fmt('dataset a {\r\n\r\n\r\n}\r\n\r\n\r\n\r\ngenerator g {}\r\n'),
            'dataset a {\r\n}\r\n\r\ngenerator g {}\r\n',
        );
    });

    it('keeps every comment', () => {
        const text =
            '# top\ndataset a { // after brace\n  /* block */ mode = coco\n  // own line\n}\n// end\n';
        const out = fmt(text) ?? '';
        for (const c of ['# top', '// after brace', '/* block */', '// own line', '// end'])
            assert.ok(out.includes(c), `${c} lost:\n${out}`);
    });

    it('changes only white space and is idempotent on the samples and mangled copies', () => {
        for (const s of samples()) {
            const variants = [
                s,
                s.replace(/\n {4}/g, '\n  '),
                s.replace(/ = /g, '='),
                s.replace(/\s+\n/g, '\n\n\n'),
            ];
            for (const v of variants) {
                const once = fmt(v);
                assert.ok(once !== undefined);
                assert.equal(tokens(once), tokens(v));
                assert.equal(fmt(once), once);
            }
        }
    });

    it('leaves text with syntax errors alone', () => {
        assert.equal(fmt('dataset a {\n  mode = \n'), undefined);
    });
});
