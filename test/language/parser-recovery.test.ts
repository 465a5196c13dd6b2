/**
 * Parser recovery: one small input per case, with its expected syntax diagnostics beside it
 * as `line:character CODE` (0-based, UTF-16), plus what the tree must still hold.
 */
import * as assert from 'node:assert/strict';
import { parse } from '../../server/src/language/parser';
import { allDiagnostics, syntaxDiagnostics } from './helpers';

interface Case {
    name: string;
    input: string;
    expected: string[];
    /** Extra facts about the recovered tree. */
    tree?: (file: ReturnType<typeof parse>) => void;
}

const cases: Case[] = [
    {
        name: 'a reference that lost its = inside a train block stays a property of that block',
        input: 'train t {\n    generator g\n    batch = 2\n}',
        expected: ['1:13 SP1010'],
        tree: (f) =>
            assert.deepEqual(
                f.blocks[0].members.map((m) => m.kind),
                ['property', 'property'],
            ),
    },
    {
        name: 'a block left open at the end of the file is reported after its last token',
        input: 'dataset a {\n    mode = coco\n',
        expected: ['1:15 SP1011'],
    },
    {
        name: 'a block left open before the next top-level block ends there, and the next block parses',
        input: 'dataset a {\n    mode = coco\ngenerator g {\n}\n',
        expected: ['1:15 SP1011'],
        tree: (f) =>
            assert.deepEqual(
                f.blocks.map((b) => b.keyword.text),
                ['dataset', 'generator'],
            ),
    },
    {
        name: 'a half-typed property at the end of the file gives one error',
        input: 'dataset a {\n    mo',
        expected: ['1:6 SP1010'],
    },
    {
        name: 'a property without a value does not swallow the next property',
        input: 'dataset a {\n    mode =\n    classes = 3\n}',
        expected: ['1:10 SP1014'],
        tree: (f) =>
            assert.deepEqual(
                f.blocks[0].members.map((m) => (m.kind === 'property' ? m.key.text : '')),
                ['mode', 'classes'],
            ),
    },
    {
        name: "a missing '=' between name and value is reported once",
        input: 'dataset a { classes 3 }',
        expected: ['0:19 SP1010'],
    },
    {
        name: 'a word after a name inside a block is read as a value missing its =',
        input: 'dataset a {\n    mode coco\n}',
        expected: ['1:8 SP1010'],
    },
    {
        name: "a stray '}' at top level is skipped",
        input: '}\ndataset a {}',
        expected: ['0:0 SP1013'],
        tree: (f) => assert.equal(f.blocks.length, 1),
    },
    {
        name: 'a number where a property should start is skipped',
        input: 'dataset a { 42 mode = coco }',
        expected: ['0:12 SP1013'],
        tree: (f) => assert.equal(f.blocks[0].members.length, 1),
    },
    {
        name: 'an unclosed string ends at the line end and the block still closes',
        input: 'dataset a { root = "abc\n}',
        expected: ['0:19 SP1001'],
        tree: (f) => assert.ok(f.blocks[0].close),
    },
    {
        name: 'an unclosed list ends before the next property',
        input: 'train t { data = [a, b\n  batch = 2 }',
        expected: ['0:22 SP1012'],
        tree: (f) => assert.equal(f.blocks[0].members.length, 2),
    },
    {
        name: 'a missing comma between list items is reported between them',
        input: 'train t { x = [1 2] }',
        expected: ['0:16 SP1010'],
    },
    {
        name: 'a bad character is reported once, by the scanner',
        input: 'dataset a { mode = coco $ }',
        expected: ['0:24 SP1003'],
    },
    {
        name: "a missing '{' after a header still parses the body on the next lines",
        input: 'dataset a\n    mode = coco\n}',
        expected: ['0:9 SP1010'],
        tree: (f) => assert.equal(f.blocks[0].members.length, 1),
    },
    {
        name: 'an unclosed block comment is reported at its start',
        input: 'dataset a {}\n/* abc',
        expected: ['1:0 SP1002'],
    },
    {
        name: 'a number glued to letters is one malformed number',
        input: 'dataset a { crop = 3x3 }',
        expected: ['0:19 SP1004'],
    },
    {
        name: 'a property outside any block is reported at its name',
        input: 'mode = coco\ndataset a {}',
        expected: ['0:0 SP1013'],
        tree: (f) => assert.equal(f.strays.length, 1),
    },
    {
        name: 'a nested block closed and its parent left open reports the parent at the end',
        input: 'dataset a {\n  preprocess { crop = 256\n}\n',
        expected: ['2:1 SP1011'],
    },
    {
        name: 'an unknown escape in a string is reported at the escape',
        input: 'dataset a { root = "a\\qb" }',
        expected: ['0:21 SP1005'],
    },
    {
        name: 'an empty file has no diagnostics and no blocks',
        input: '',
        expected: [],
        tree: (f) => assert.equal(f.blocks.length, 0),
    },
    {
        name: "a '=' with nothing after it at the end of the file gives one error",
        input: 'train t {\n  batch =',
        expected: ['1:9 SP1014'],
    },
];

describe('parser recovery', () => {
    for (const c of cases) {
        it(c.name, () => {
            assert.deepEqual(syntaxDiagnostics(c.input), c.expected);
            const f = parse(c.input);
            assert.equal(f.stalls, 0, 'a parser loop consumed no input');
            c.tree?.(f);
        });
    }

    it('keeps checking the rest of a file after a syntax error', () => {
        const text = 'dataset a {\n    mode = coco\n\ntrain t {\n    data = b\n}\n';
        assert.deepEqual(allDiagnostics(text), ['1:15 SP1011', '4:11 SP2008']);
    });
});
