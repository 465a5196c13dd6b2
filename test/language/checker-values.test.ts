/** Checker rule on values: types, ranges, enums and fixed choices. */
import * as assert from 'node:assert/strict';
import { codes, config, withCode } from './helpers';

describe('checker: value rules', () => {
    it('accepts values of every type in range', () => {
        const text = config({
            ds: '    classes = 20\n    dontcare = on\n    max_size = 100\n    class_file = "c.txt"\n    preprocess { aspect = 1.0  flip = off }',
            gen: '    ngf = 32\n    init_variance = 0.02\n    spade_kernel = 5\n    init = kaiming',
            train: '    optimizer { lr = 2e-4 }\n    seed = 7',
        });
        assert.deepEqual(codes(text), []);
    });

    it('rejects a fraction where a whole number is expected', () => {
        const [d] = withCode(config({ gen: '    ngf = 64.5' }), 'SP3001');
        assert.equal(d.message, "'ngf' must be a whole number, not 64.5.");
    });

    it('rejects a word where a number is expected and a number where a path is expected', () => {
        assert.deepEqual(codes(config({ train: '    batch = eight\n    out = 3' })), [
            'SP3001',
            'SP3001',
        ]);
    });

    it('rejects a boolean spelled neither on/off nor true/false', () => {
        const [d] = withCode(config({ ds: '    dontcare = yes' }), 'SP3001');
        assert.match(d.message, /must be on or off \(true or false\), not yes/);
    });

    it('reports numbers out of range with the allowed range', () => {
        const [d] = withCode(config({ train: '    batch = 0' }), 'SP3002');
        assert.equal(
            d.message,
            "'batch' is 0, but it must be >= 1 and <= 4096. Pick a value in range.",
        );
        assert.deepEqual(codes(config({ ds: '    preprocess { aspect = 0 }' })), ['SP3002']);
    });

    it('reports an enum value that is not allowed, with a suggestion when one is close', () => {
        const [d] = withCode(config({ gen: '    upsampling = mroe' }), 'SP3003');
        assert.match(
            d.message,
            /'upsampling' cannot be mroe; it is one of normal, more, most\. Did you mean 'more'\?/,
        );
        assert.deepEqual(d.data?.replacements, ['more']);
    });

    it('suggests the enum value whose words the typed value keeps in order', () => {
        const [d] = withCode(config({ ds: '    preprocess { mode = resize_crop }' }), 'SP3003');
        assert.deepEqual(d.data?.replacements, ['resize_and_crop']);
    });

    it('lists every allowed value as a fix when none is close', () => {
        const [d] = withCode(config({ train: '    device = quantum' }), 'SP3003');
        assert.deepEqual(d.data?.replacements, ['auto', 'gpu', 'cpu']);
    });

    it('reports a number outside a fixed set of choices', () => {
        const [d] = withCode(config({ gen: '    spade_kernel = 4' }), 'SP3003');
        assert.match(d.message, /one of 3, 5/);
    });

    it('tells the user to remove quotes around an enum value', () => {
        const [d] = withCode(config({ gen: '    upsampling = "more"' }), 'SP3001');
        assert.match(d.message, /Remove the quotes\./);
        assert.deepEqual(d.data?.replacements, ['more']);
    });
});
