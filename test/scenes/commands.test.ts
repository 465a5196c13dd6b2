/** The make-scenes and evaluate CLI commands, run in process with captured output. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliIO } from '../../server/src/cli/command';
import { evaluateCommand } from '../../server/src/cli/evaluate-command';
import { makeScenesCommand } from '../../server/src/cli/make-scenes-command';

function capture(cwd: string): CliIO & { stdout: string[]; stderr: string[] } {
    const stdout: string[] = [];
    const stderr: string[] = [];
    return {
        cwd,
        stdout,
        stderr,
        out: (l) => void stdout.push(l),
        err: (l) => void stderr.push(l),
    };
}

describe('scene CLI commands', function () {
    this.timeout(60000);
    let cwd: string;
    before(() => {
        cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'scenes-cli-'));
    });
    after(() => fs.rmSync(cwd, { recursive: true, force: true }));

    it('make-scenes writes a set relative to the working folder and says where', async function () {
        const io = capture(cwd);
        const code = await makeScenesCommand.run(
            ['--out', 'set', '--count', '2', '--size', '48x40', '--seed', '5', '--quiet'],
            io,
        );
        assert.equal(code, 0, io.stderr.join('\n'));
        assert.match(io.stdout.join('\n'), /Wrote 2 scenes of 48x40 to .*set/);
        assert.deepEqual(fs.readdirSync(path.join(cwd, 'set', 'label')), [
            'scene_00000.png',
            'scene_00001.png',
        ]);
        assert.deepEqual(io.stderr, []);
    });

    it('make-scenes refuses bad arguments with exit code 2, the reason and the usage', async function () {
        const cases: [string[], RegExp][] = [
            [['--count', '3'], /--out DIR is required/],
            [['--out', 'x', '--count', 'many'], /--count is "many"; use a whole number/],
            [
                ['--out', 'x', '--size', '10'],
                /width is 10; use a whole number of pixels from 16 to 4096/,
            ],
            [['--out', 'x', '--format', 'gif'], /--format is "gif"; use jpeg or png/],
            [['--out', 'x', '--colour'], /Unknown option '--colour'/],
        ];
        for (const [args, msg] of cases) {
            const io = capture(cwd);
            assert.equal(await makeScenesCommand.run(args, io), 2, args.join(' '));
            assert.match(io.stderr[0], msg);
            assert.match(io.stderr.join('\n'), /usage: spade make-scenes/);
        }
    });

    it('evaluate prints a per-class table and writes the JSON report', async function () {
        const io = capture(cwd);
        const args = [
            '--pred',
            'set/image',
            '--real',
            'set/image',
            '--labels',
            'set/label',
            '--json',
            'out/report.json',
        ];
        assert.equal(await evaluateCommand.run(args, io), 0, io.stderr.join('\n'));
        const text = io.stdout.join('\n');
        assert.match(text, /^class\s+share\s+L a b real/);
        assert.match(text, /\nsky\s+\d+\.\d%/);
        assert.match(text, /score \(pixel-weighted mean distance\): 0\.00/);
        const json = JSON.parse(fs.readFileSync(path.join(cwd, 'out', 'report.json'), 'utf8'));
        assert.equal(json.score, 0);
        assert.equal(json.names[0], 'sky');
    });

    it('evaluate reports a missing folder by name with exit code 1, and a missing flag with 2', async function () {
        const io = capture(cwd);
        assert.equal(
            await evaluateCommand.run(
                ['--pred', 'nope', '--real', 'set/image', '--labels', 'set/label'],
                io,
            ),
            1,
        );
        assert.match(io.stderr[0], /nope: cannot read the synthesized image folder/);
        const io2 = capture(cwd);
        assert.equal(await evaluateCommand.run(['--pred', 'set/image'], io2), 2);
        assert.match(io2.stderr[0], /--real DIR is required/);
    });
});
