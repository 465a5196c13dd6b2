/** The cursor context read from tokens, in complete and half-typed text. */
import * as assert from 'node:assert/strict';
import { cursorContext } from '../../server/src/language/cursor';

function at(textWithMark: string) {
    const i = textWithMark.indexOf('|');
    return cursorContext(textWithMark.slice(0, i) + textWithMark.slice(i + 1), i);
}

describe('cursor context', () => {
    it('is top level between blocks and after a closed block', () => {
        assert.equal(at('|').place.kind, 'top');
        assert.equal(at('dataset a {}\ngen|').place.kind, 'top');
        assert.equal(at('dataset a {}\ngen|').prefix, 'gen');
    });

    it('is a block name after a top-level kind', () => {
        assert.deepEqual(at('dataset |').place, { kind: 'block-name', blockKind: 'dataset' });
    });

    it('tracks nested blocks and the keys set on both sides', () => {
        const c = at(
            'dataset a {\n  mode = coco\n  preprocess {\n    crop = 3\n    |\n    load = 2\n  }\n}',
        );
        assert.deepEqual(c.path, ['dataset', 'preprocess']);
        assert.equal(c.place.kind, 'member');
        assert.deepEqual([...c.present].sort(), ['crop', 'load']);
    });

    it('is a value after key =, also inside a list, and knows strings', () => {
        assert.deepEqual(at('generator g { norm = ins| }').place, {
            kind: 'value',
            key: 'norm',
            inString: false,
        });
        assert.deepEqual(at('train t { x = [a, |').place, {
            kind: 'value',
            key: 'x',
            inString: false,
        });
        const s = at('dataset a { root = "data/im|g" }');
        assert.deepEqual(s.place, { kind: 'value', key: 'root', inString: true });
        assert.equal(s.prefix, 'data/im');
        assert.equal(at('dataset a { root = "x"| }').place.kind, 'member');
    });

    it('ends an unclosed block where the next top-level block starts', () => {
        const c = at('dataset a {\n  mode = coco\ngenerator g {\n  |');
        assert.deepEqual(c.path, ['generator']);
        assert.ok(!c.present.has('mode'));
    });

    it('reads the block around the cursor in long documents and after blank first lines', () => {
        const many = Array.from(
            { length: 300 },
            (_, i) => `dataset d${i} {\n  mode = coco\n}\n`,
        ).join('');
        const c = at(`\n\n${many}train t {\n  data = |\n}\n${many}`);
        assert.deepEqual(c.place, { kind: 'value', key: 'data', inString: false });
        assert.equal(c.blockNames('dataset').length, 300);
        assert.equal(at('\n\n  |').place.kind, 'top');
        assert.deepEqual(at('\n\ndataset a {\n\n  |').path, ['dataset']);
    });

    it('sees nothing to complete inside comments', () => {
        assert.equal(at('dataset a { // mode = |\n}').place.kind, 'comment');
        assert.equal(at('/* a | */').place.kind, 'comment');
    });
});
