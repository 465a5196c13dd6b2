/** Cross-field rules: crop geometry, label channels, layer lists, sync-batch and schedule. */
import * as assert from 'node:assert/strict';
import { codes, config, withCode } from './helpers';

const crop = (c: number, aspect = 1) =>
    `    preprocess { load = ${c}  crop = ${c}  aspect = ${aspect} }`;

describe('checker: crop vs upsampling vs aspect', () => {
    it('accepts crops whose latent grid is whole and whose heights agree', () => {
        assert.deepEqual(codes(config({ ds: crop(256) })), []);
        assert.deepEqual(codes(config({ ds: crop(512, 2), gen: '    upsampling = more' })), []);
        assert.deepEqual(codes(config({ ds: crop(1024, 2), gen: '    upsampling = most' })), []);
    });

    it('uses the cityscapes default of more upsampling, and says so in the message', () => {
        const city = (c: number) =>
            `dataset c {\n    mode = cityscapes\n    preprocess { crop = ${c} }\n}\ntrain t { data = c }\n`;
        assert.deepEqual(codes(city(512)), []);
        const [d] = withCode(city(480), 'SP4001');
        assert.match(
            d.message,
            /multiple of 64 \(2\^6 for more upsampling \(the cityscapes default\)\)/,
        );
        assert.deepEqual(d.data?.replacements, ['384', '512']);
    });

    it('names the upsampling property in related information when it is written', () => {
        const [d] = withCode(config({ ds: crop(100), gen: '    upsampling = normal' }), 'SP4001');
        assert.ok(d.related?.some((r) => r.message === 'normal upsampling: 5 doublings'));
    });

    it('counts the up blocks of a layer-level generator instead of its upsampling', () => {
        const layers = (ups: number) =>
            '    layers {\n' +
            '        resblock { channels = 8  resample = up }\n'.repeat(ups) +
            '        conv { channels = 3 }\n    }';
        assert.deepEqual(codes(config({ ds: crop(80), gen: layers(5) })), ['SP4001']);
        assert.deepEqual(codes(config({ ds: crop(80), gen: layers(3) })), []);
    });

    it('checks a dataset no train block uses with the default generator', () => {
        const text =
            'dataset d {\n    mode = custom\n    label_dir = "l"\n    image_dir = "i"\n    preprocess { crop = 90 }\n}\n';
        assert.deepEqual(codes(text), ['SP4001']);
    });

    it('reports the height mismatch at the aspect property with both heights', () => {
        const [d] = withCode(config({ ds: crop(512, 3) }), 'SP4002');
        assert.match(d.message, /generator makes images 160 px high.*gives images 171 px high/);
    });
});

describe('checker: classes, dontcare, instances and input channels', () => {
    it('reports dontcare with more than 255 classes, and accepts 255', () => {
        assert.deepEqual(codes(config({ ds: '    classes = 300\n    dontcare = on' })), ['SP4003']);
        assert.deepEqual(codes(config({ ds: '    classes = 255\n    dontcare = on' })), []);
    });

    it('warns when a COCO or ADE20K dataset turns dontcare off', () => {
        const ds = (mode: string, dc: string) =>
            `dataset d {\n    mode = ${mode}\n    root = "r"\n    instances = off\n    dontcare = ${dc}\n}\n`;
        assert.deepEqual(codes(ds('coco', 'off')), ['SP4006']);
        assert.deepEqual(codes(ds('ade20k', 'off')), ['SP4006']);
        assert.deepEqual(codes(ds('coco', 'on')), []);
    });

    it('reports instance maps asked of a mode that has none', () => {
        const ds = (mode: string, inst: string) =>
            `dataset d {\n    mode = ${mode}\n    root = "r"${inst}\n}\n`;
        assert.deepEqual(codes(ds('ade20k', '\n    instances = on')), ['SP4005']);
        assert.deepEqual(codes(ds('facades', '\n    instances = on')), ['SP4005']);
        assert.deepEqual(codes(ds('ade20k', '')), []);
    });

    it('reports custom instances without an instance folder, and accepts them with one', () => {
        assert.deepEqual(codes(config({ ds: '    instances = on' })), ['SP4005']);
        assert.deepEqual(
            codes(config({ ds: '    instances = on\n    instance_dir = "inst"' })),
            [],
        );
    });

    it('checks input_channels against classes + dontcare + instance edge, naming each part', () => {
        assert.deepEqual(
            codes(
                config({
                    ds: '    classes = 20\n    dontcare = on',
                    gen: '    input_channels = 21',
                }),
            ),
            [],
        );
        const [d] = withCode(
            config({
                ds: '    classes = 20\n    instances = on\n    instance_dir = "x"',
                gen: '    input_channels = 20',
            }),
            'SP4004',
        );
        assert.match(
            d.message,
            /input_channels is 20, but dataset 'd' gives 21: 20 classes \+ 0 dontcare \+ 1 instance edge/,
        );
        assert.deepEqual(d.data?.replacements, ['21']);
    });
});

describe('checker: layer lists, sync-batch and schedule', () => {
    it('reports an empty layer list, a generator not ending in conv and a wrong image width', () => {
        assert.deepEqual(codes(config({ gen: '    layers {}' })), ['SP4007']);
        assert.deepEqual(codes(config({ disc: '    layers {}' })), ['SP4007']);
        const end = (last: string) =>
            config({
                gen: `    layers {\n        resblock { channels = 64 }\n        ${last}\n    }`,
                ds: crop(32),
            });
        assert.deepEqual(codes(end('resblock { channels = 3 }')), ['SP4007']);
        assert.deepEqual(codes(end('conv { channels = 4 }')), ['SP4007']);
        assert.deepEqual(codes(end('conv { channels = 3 }')), []);
    });

    it('notes that sync-batch norm on one device is batch norm, only when written', () => {
        const [d] = withCode(config({ gen: '    norm = syncbatch' }), 'SP4009');
        assert.equal(d.severity, 'information');
        assert.deepEqual(d.data?.replacements, ['batch']);
        assert.deepEqual(codes(config({ disc: '    norm = sync_batch' })), ['SP4009']);
        assert.deepEqual(codes(config({})), []);
    });

    it('warns about a schedule of zero epochs', () => {
        assert.deepEqual(codes(config({ train: '    epochs = 0' })), ['SP4008']);
        assert.deepEqual(codes(config({ train: '    epochs = 0\n    decay_epochs = 5' })), []);
    });
});

describe('checker: load vs crop', () => {
    it('reports a crop larger than the load size in cropping modes, and accepts equal sizes', () => {
        const [d] = withCode(
            config({ ds: '    preprocess { mode = resize_and_crop  load = 200  crop = 256 }' }),
            'SP4010',
        );
        assert.match(d.message, /Crop 256 is larger than load 200/);
        assert.deepEqual(
            codes(
                config({ ds: '    preprocess { mode = resize_and_crop  load = 256  crop = 256 }' }),
            ),
            [],
        );
    });

    it('reports a non-cropping mode whose load differs from the generator width', () => {
        const [d] = withCode(
            config({ ds: '    preprocess { mode = scale_width  load = 512  crop = 256 }' }),
            'SP4011',
        );
        assert.match(
            d.message,
            /scale_width makes images 512 px wide \(load\), but the generator makes them 256 px wide/,
        );
        assert.deepEqual(
            codes(config({ ds: '    preprocess { mode = scale_width  load = 256  crop = 256 }' })),
            [],
        );
    });
});

describe('checker: style encoder vs crop', () => {
    const ds = (c: number) => `    preprocess { load = ${c}  crop = ${c} }`;

    it('reports style = on with a crop below 256 at the crop, naming both properties', () => {
        const text = config({ ds: ds(128), gen: '    style = on' });
        const [d] = withCode(text, 'SP4012');
        assert.equal(d.severity, 'error');
        assert.match(d.message, /style = on in generator 'g'.*crop 256 or more/);
        assert.match(d.message, /dataset 'd' has crop 128/);
        assert.match(d.message, /Set crop to at least 256.*or turn style off/);
        assert.equal(text.slice(d.span.start, d.span.end), '128');
        assert.ok(d.related?.some((r) => text.slice(r.span.start, r.span.end) === 'style = on'));
        // Two fixes are equally plausible and edit different blocks: none is offered.
        assert.equal(d.data, undefined);
    });

    it('accepts crop 256 or more, and a small crop without the encoder', () => {
        assert.deepEqual(codes(config({ ds: ds(256), gen: '    style = on' })), []);
        assert.deepEqual(codes(config({ ds: ds(512), gen: '    style = on' })), []);
        assert.deepEqual(codes(config({ ds: ds(128), gen: '    style = off' })), []);
        assert.deepEqual(codes(config({ ds: ds(128) })), []);
    });

    it('accepts style = on with the mode default crop (256 or more in every mode)', () => {
        const text = 'dataset c {\n    mode = cityscapes\n    root = "r"\n}\n';
        const tail = 'generator g { style = on }\ntrain t {\n    data = c\n    generator = g\n}\n';
        assert.deepEqual(withCode(text + tail, 'SP4012'), []);
    });

    it('reports once when two train blocks share the dataset and generator', () => {
        const text =
            config({ ds: ds(128), gen: '    style = on' }) +
            'train t2 {\n    data = d\n    generator = g\n}\n';
        assert.equal(withCode(text, 'SP4012').length, 1);
    });
});
