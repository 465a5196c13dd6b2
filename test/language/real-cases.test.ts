/** The real cases, each with its exact position or message. */
import * as assert from 'node:assert/strict';
import { runCli } from '../../server/src/cli/run';
import { checkCommand } from '../../server/src/cli/check-command';
import { toLsp } from '../../server/src/features/diagnostics-provider';
import { analyzed } from './helpers';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

describe('real cases', () => {
    it('a block header and a half-typed property name at the end of the file: no exception, one diagnostic', () => {
        const text = 'dataset coco {\n    mo';
        const a = analyzed(text);
        assert.equal(a.diagnostics.length, 1);
        const [d] = a.diagnostics;
        assert.equal(d.code, 'SP1010');
        assert.deepEqual(a.file.lines.positionAt(d.span.start), { line: 1, character: 6 });
        assert.match(d.message, /after 'mo'/);
    });

    it('a CRLF file with an error on its third line is reported on line 2 at the right character', () => {
        const text =
            'dataset a {\r\n    mode = custom\r\n    classes = -1\r\n    label_dir = "l"\r\n    image_dir = "i"\r\n}\r\n';
        const a = analyzed(text);
        assert.equal(a.diagnostics.length, 1);
        const lsp = toLsp(a.diagnostics[0], a.file.lines, 'file:///x.spade');
        assert.deepEqual(lsp.range, {
            start: { line: 2, character: 14 },
            end: { line: 2, character: 16 },
        });
    });

    it('a string holding an emoji before an error on the same line counts UTF-16 units', () => {
        // The emoji is one code point but two UTF-16 units, so -1 starts at unit 34, not 33.
        const text = 'dataset a { root = "\u{1F600}" classes = -1 }\n';
        const a = analyzed(text);
        const d = a.diagnostics.find((x) => x.code === 'SP3002');
        assert.ok(d);
        const lsp = toLsp(d, a.file.lines, 'file:///x.spade');
        assert.deepEqual(lsp.range, {
            start: { line: 0, character: 34 },
            end: { line: 0, character: 36 },
        });
    });

    it('crop 90 with normal upsampling: an error naming the nearest valid crop sizes', () => {
        const text =
            'dataset d {\n    mode = custom\n    label_dir = "l"\n    image_dir = "i"\n    preprocess { crop = 90 }\n}\ngenerator g { upsampling = normal }\ntrain t { data = d  generator = g }\n';
        const [d] = analyzed(text).diagnostics;
        assert.equal(d.code, 'SP4001');
        assert.equal(
            d.message,
            "Crop 90 is not a multiple of 32 (2^5 for normal upsampling), so the generator's latent grid would be 2.81 wide. Use crop 64 or 96.",
        );
        assert.deepEqual(d.data?.replacements, ['64', '96']);
    });

    it('crop 256 with aspect ratio 1.5: an error naming the two heights that disagree', () => {
        const text =
            'dataset d {\n    mode = custom\n    label_dir = "l"\n    image_dir = "i"\n    preprocess { crop = 256  aspect = 1.5 }\n}\ntrain t { data = d }\n';
        const [d] = analyzed(text).diagnostics;
        assert.equal(d.code, 'SP4002');
        assert.equal(
            d.message,
            'Heights disagree: the generator makes images 160 px high (a grid of 8 x 5 doubled 5 times), but crop 256 with aspect 1.5 gives images 171 px high. Use crop 192 or 288, or aspect 1.6.',
        );
    });

    it('the CLI prints the emoji case with a 1-based UTF-16 column and exits 1', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-cli-'));
        try {
            fs.writeFileSync(
                path.join(dir, 'e.spade'),
                'dataset a { root = "\u{1F600}" classes = -1 }\n',
            );
            const out: string[] = [];
            const code = await runCli(
                ['check', 'e.spade'],
                { out: (l) => out.push(l), err: () => undefined, cwd: dir },
                [checkCommand],
            );
            assert.equal(code, 1);
            assert.match(out.join('\n'), /^e\.spade:1:35: error SP3002: 'classes' is -1/m);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
