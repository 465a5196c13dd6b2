/** The class file schema: writing, reading, and messages for files that do not fit it. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import {
    ClassFileError,
    colorizeLabels,
    fallbackColor,
    formatClassFile,
    parseClassFile,
    sceneClassFile,
} from '../../server/src/scenes/classes';
import { requireShared } from '../support/shared';

function problem(text: string): string {
    try {
        parseClassFile(text, 'x/classes.json');
    } catch (e) {
        assert.ok(e instanceof ClassFileError);
        return e.message;
    }
    assert.fail('expected a ClassFileError');
}

describe('class file', function () {
    it('reads back what it writes', function () {
        const file = sceneClassFile();
        const text = formatClassFile(file);
        assert.deepEqual(parseClassFile(text), file);
        assert.match(text, /"colors": \[\n\s+\[140, 190, 240\],/);
    });

    it('keeps a dontcare entry through a round trip', function () {
        const file = {
            ...sceneClassFile(),
            dontcare: {
                pngValue: 255,
                name: 'unknown',
                color: [0, 0, 0] as [number, number, number],
            },
        };
        assert.deepEqual(parseClassFile(formatClassFile(file)).dontcare, file.dontcare);
    });

    it('accepts "#rrggbb" colours and the colours spelling', function () {
        const f = parseClassFile('{"names": ["a", "b"], "colours": ["#ff8000", [1, 2, 3]]}');
        assert.deepEqual(f.colors, [
            [255, 128, 0],
            [1, 2, 3],
        ]);
    });

    it('derives distinct colours for a names-only file such as the COCO-Stuff one', function () {
        const p = requireShared(this, 'data', 'coco_stuff', 'classes.json');
        const f = parseClassFile(fs.readFileSync(p, 'utf8'), p);
        assert.equal(f.numClasses, 182);
        assert.equal(f.names[0], 'person');
        assert.deepEqual(f.dontcare, { pngValue: 255, name: 'unlabeled', color: [0, 0, 0] });
        assert.equal(new Set(f.colors.map((c) => c.join(','))).size, 182);
        assert.deepEqual(f.colors[5], fallbackColor(5));
    });

    it('names the field and the fix when a file does not fit the schema', function () {
        assert.match(problem('{"names": ['), /x\/classes\.json: \(file\): not valid JSON/);
        assert.match(problem('[1, 2]'), /expected a JSON object/);
        assert.match(problem('{"names": []}'), /names: expected a non-empty array/);
        assert.match(
            problem('{"names": ["a"], "num_classes": 2}'),
            /num_classes: is 2 but "names" has 1 entries/,
        );
        assert.match(
            problem('{"names": ["a", "b"], "colors": [[0, 0, 0]]}'),
            /colors: expected 2 \[r, g, b\] entries/,
        );
        assert.match(
            problem('{"names": ["a"], "colors": [[0, 0, 300]]}'),
            /colors\[0\]: expected \[r, g, b\] integers 0\.\.255/,
        );
        assert.match(
            problem('{"names": ["a", "b"], "dontcare": {"png_value": 1}}'),
            /dontcare\.png_value: expected an integer at or above the class count 2/,
        );
    });

    it('colours a label map by class, the dontcare value by its colour, other ids black', function () {
        const file = parseClassFile(
            '{"names": ["a", "b"], "colors": [[1, 2, 3], [4, 5, 6]], "dontcare": {"png_value": 255, "color": [9, 9, 9]}}',
        );
        const rgb = colorizeLabels([1, 0, 255, 7], file);
        assert.deepEqual([...rgb], [4, 5, 6, 1, 2, 3, 9, 9, 9, 0, 0, 0]);
    });
});
