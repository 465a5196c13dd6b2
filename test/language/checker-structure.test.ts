/** Checker rules on structure: unknown names, duplicates, names, required properties, references. */
import * as assert from 'node:assert/strict';
import { allDiagnostics, codes, config, withCode } from './helpers';

describe('checker: structure rules', () => {
    it('accepts the minimal config the other tests build on', () => {
        assert.deepEqual(allDiagnostics(config({})), []);
    });

    it('reports an unknown top-level block and suggests the closest kind', () => {
        const [d] = withCode('datset a {}\n', 'SP2001');
        assert.match(d.message, /Unknown block 'datset'.*Did you mean 'dataset'\?/);
        assert.deepEqual(d.data?.replacements, ['dataset']);
        assert.deepEqual([d.span.start, d.span.end], [0, 6]);
    });

    it('reports an unknown nested block with the kinds allowed in its parent', () => {
        const [d] = withCode(config({ ds: '    preproces { crop = 256 }' }), 'SP2001');
        assert.match(
            d.message,
            /inside 'dataset'.*Did you mean 'preprocess'\?.*Allowed inside 'dataset': preprocess\./,
        );
    });

    it('reports an unknown property, suggests the intended one and attaches it for a quick fix', () => {
        const [d] = withCode(config({ gen: '    upsamplng = more' }), 'SP2002');
        assert.match(
            d.message,
            /Unknown property 'upsamplng' in 'generator'\. Did you mean 'upsampling'\?/,
        );
        assert.deepEqual(d.data?.replacements, ['upsampling']);
    });

    it('suggests the property a half-typed prefix starts', () => {
        const [d] = withCode(config({ ds: '    instan = on' }), 'SP2002');
        assert.deepEqual(d.data?.replacements, ['instances']);
    });

    it('points at a block written as a property', () => {
        const [d] = withCode(config({ train: '    loss = hinge' }), 'SP2002');
        assert.match(d.message, /'loss' is a block here: write 'loss \{ \.\.\. \}'/);
    });

    it('does not report an unknown property twice when it is also half-typed', () => {
        assert.deepEqual(codes('dataset a {\n    zzz'), ['SP1010']);
    });

    it('requires a name on top-level blocks and forbids one on nested blocks', () => {
        assert.deepEqual(codes('generator {}\n'), ['SP2006']);
        assert.deepEqual(codes(config({ ds: '    preprocess p { crop = 256 }' })), ['SP2007']);
    });

    it('reports a property set twice, pointing at the first', () => {
        const ds = withCode(config({ gen: '    ngf = 32\n    ngf = 64' }), 'SP2003');
        assert.equal(ds.length, 1);
        assert.equal(ds[0].related?.[0].message, 'the first one');
    });

    it('reports a nested block given twice but allows repeated layer entries', () => {
        assert.deepEqual(codes(config({ train: '    loss { vgg = 1 }\n    loss { vgg = 2 }' })), [
            'SP2005',
        ]);
        const layers =
            '    layers {\n        resblock { channels = 64 }\n        resblock { channels = 64 }\n        conv { channels = 3 }\n    }';
        assert.deepEqual(codes(config({ gen: layers, ds: '    preprocess { crop = 32 }' })), []);
    });

    it('reports two blocks of one kind with one name, but not the same name across kinds', () => {
        assert.deepEqual(codes('generator a {}\ngenerator a {}\n'), ['SP2004']);
        assert.deepEqual(codes('generator a {}\ndiscriminator a {}\n'), []);
    });

    it('requires data in a train block and the folders of a custom dataset', () => {
        const [d] = withCode('train t {}\n', 'SP2009');
        assert.match(d.message, /train 't' needs 'data'/);
        const missing = withCode('dataset c { mode = custom }\n', 'SP2009').map(
            (x) => x.message.match(/needs '(\w+)'/)?.[1],
        );
        assert.deepEqual(missing, ['label_dir', 'image_dir']);
    });

    it('requires channels in layer entries', () => {
        const layers =
            '    layers {\n        resblock { resample = up }\n        conv { channels = 3 }\n    }';
        assert.deepEqual(codes(config({ gen: layers })), ['SP2009']);
    });

    it('reports a reference to a missing block with the closest name and the known ones', () => {
        const text = config({}).replace('generator = g', 'generator = gg');
        const [d] = withCode(text, 'SP2008');
        assert.match(
            d.message,
            /No generator named 'gg'\. Did you mean 'g'\? Known generator blocks: g\./,
        );
        assert.deepEqual(d.data?.replacements, ['g']);
    });

    it('reports a reference to a block of the wrong kind as unresolved', () => {
        const text = config({}).replace('generator = g', 'generator = x');
        assert.deepEqual(codes(text), ['SP2008']);
    });
});
