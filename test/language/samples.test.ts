/** The samples check clean; the error samples have errors; and the CLI reports both correctly. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCommand } from '../../server/src/cli/check-command';
import { runCli } from '../../server/src/cli/run';
import { repoRoot } from '../support/shared';
import { analyzed } from './helpers';

const dir = path.join(repoRoot, 'samples');
const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
        args,
        { out: (l) => out.push(l), err: (l) => err.push(l), cwd: repoRoot },
        [checkCommand],
    );
    return { code, out, err };
};

describe('samples and spade check', () => {
    const good = ['coco-stuff-256.spade', 'cityscapes-512x256.spade', 'custom-small.spade'];
    for (const f of good) {
        it(`${f} checks clean`, () => {
            assert.deepEqual(analyzed(fs.readFileSync(path.join(dir, f), 'utf8')).diagnostics, []);
        });
    }

    it('every error sample reports exactly the diagnostics listed at its end', () => {
        const files = fs.readdirSync(path.join(dir, 'errors')).filter((f) => f.endsWith('.spade'));
        assert.ok(files.length >= 4);
        for (const f of files) {
            const text = fs.readFileSync(path.join(dir, 'errors', f), 'utf8');
            const expected = [
                ...text.matchAll(/^\/\/ expect: (SP\d{4}) (\w+) at (\d+):(\d+)$/gm),
            ].map((m) => m.slice(1).join(' '));
            assert.ok(expected.length > 0, `${f} lists no expected diagnostics`);
            const a = analyzed(text);
            const actual = a.diagnostics.map((d) => {
                const p = a.file.lines.positionAt(d.span.start);
                return `${d.code} ${d.severity} ${p.line + 1} ${p.character + 1}`;
            });
            assert.deepEqual(actual, expected, f);
        }
    });

    it('every error sample has at least one error', () => {
        const files = fs.readdirSync(path.join(dir, 'errors')).filter((f) => f.endsWith('.spade'));
        assert.ok(files.length >= 4);
        for (const f of files) {
            const a = analyzed(fs.readFileSync(path.join(dir, 'errors', f), 'utf8'));
            assert.ok(
                a.diagnostics.some((d) => d.severity === 'error'),
                `${f} has no error`,
            );
        }
    });

    it('exits 0 on the good samples and prints nothing on stdout', async () => {
        const r = await run(['check', ...good.map((f) => `samples/${f}`)]);
        assert.equal(r.code, 0);
        assert.deepEqual(r.out, []);
        assert.match(r.err.join('\n'), /3 files checked: 0 errors/);
    });

    it('exits 1 on errors, printing file:line:col: severity code: message', async () => {
        const r = await run(['check', 'samples/errors/crop-90.spade']);
        assert.equal(r.code, 1);
        assert.deepEqual(r.out, [
            "samples/errors/crop-90.spade:6:25: error SP4001: Crop 90 is not a multiple of 32 (2^5 for normal upsampling), so the generator's latent grid would be 2.81 wide. Use crop 64 or 96.",
        ]);
    });

    it('checks every .spade file under a folder, and hides warnings with --errors-only', async () => {
        const all = await run(['check', 'samples/errors']);
        const errorsOnly = await run(['check', '--errors-only', 'samples/errors']);
        assert.ok(all.out.some((l) => / warning /.test(l)));
        assert.ok(!errorsOnly.out.some((l) => / warning /.test(l)));
        assert.equal(errorsOnly.code, 1);
    });

    it('exits 2 saying so when a folder holds no .spade file, instead of "0 files checked"', async () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-check-empty-'));
        try {
            fs.writeFileSync(path.join(empty, 'notes.txt'), 'not a config');
            const r = await run(['check', empty]);
            assert.equal(r.code, 2);
            assert.deepEqual(r.out, []);
            const text = r.err.join('\n');
            assert.match(
                text,
                /: no \.spade files found in this folder or below .*Name a \.spade file/,
            );
            assert.doesNotMatch(text, /0 files checked/);
            // Alongside a real config the empty folder still fails, and the config is checked.
            const both = await run(['check', 'samples/coco-stuff-256.spade', empty]);
            assert.equal(both.code, 2);
            assert.match(both.err.join('\n'), /1 file checked: 0 errors/);
        } finally {
            fs.rmSync(empty, { recursive: true, force: true });
        }
    });

    it('exits 2 with a message naming the file when it cannot be read, and on bad usage', async () => {
        const r = await run(['check', 'samples/nope.spade']);
        assert.equal(r.code, 2);
        assert.match(r.err.join('\n'), /samples\/nope\.spade: cannot read it \(ENOENT\)/);
        assert.equal((await run(['check'])).code, 2);
        assert.equal((await run(['check', '--bogus', 'x'])).code, 2);
        assert.equal((await run(['frobnicate'])).code, 2);
        assert.equal((await run(['help'])).code, 0);
    });
});
