/** Options the chosen mode never reads are warned about, tagged unnecessary, with a removal span. */
import * as assert from 'node:assert/strict';
import { codes, config, withCode } from './helpers';

describe('checker: options with no effect', () => {
    const noEffect = (text: string): string[] =>
        withCode(text, 'SP5001').map(
            (d) => d.message.match(/^'(\w+)'|^This block/)?.[0] ?? d.message,
        );

    it('warns about nef, which the reference never reads', () => {
        const [d] = withCode(config({ gen: '    style = on\n    encoder { nef = 32 }' }), 'SP5001');
        assert.match(d.message, /'nef' has no effect; the reference never reads nef/);
        assert.equal(d.unnecessary, true);
        assert.ok(d.data?.remove);
    });

    it('warns about an optimiser other than Adam, and accepts adam', () => {
        assert.deepEqual(noEffect(config({ train: '    optimizer { kind = sgd }' })), ["'kind'"]);
        assert.deepEqual(codes(config({ train: '    optimizer { kind = adam }' })), []);
    });

    it('warns about betas with TTUR on, and accepts them with TTUR off', () => {
        assert.deepEqual(
            noEffect(config({ train: '    optimizer { beta1 = 0.5  beta2 = 0.99 }' })),
            ["'beta1'", "'beta2'"],
        );
        assert.deepEqual(codes(config({ train: '    optimizer { ttur = off  beta1 = 0.5 }' })), []);
    });

    it('warns about the KL weight, z_dim and the encoder without style', () => {
        const text = config({
            gen: '    z_dim = 128\n    encoder { norm = batch }',
            train: '    loss { kld = 0.1 }',
        });
        assert.deepEqual(noEffect(text), ["'z_dim'", 'This block', "'kld'"]);
        assert.deepEqual(
            codes(
                config({
                    gen: '    style = on\n    z_dim = 128\n    encoder { norm = batch }',
                    train: '    loss { kld = 0.1 }',
                }),
            ),
            [],
        );
    });

    it('warns about VGG weights when the VGG loss is off', () => {
        assert.deepEqual(
            noEffect(config({ train: '    loss { vgg = 0  vgg_weights = "vgg.bin" }' })),
            ["'vgg_weights'"],
        );
        assert.deepEqual(codes(config({ train: '    loss { vgg_weights = "vgg.bin" }' })), []);
    });

    it('warns about preset options on layer-level networks (n_layers only for multiscale)', () => {
        const gen =
            '    ngf = 32\n    layers {\n        resblock { channels = 8 }\n        conv { channels = 3 }\n    }';
        const disc = '    n_layers = 3\n    layers { conv { channels = 8 } }';
        assert.deepEqual(noEffect(config({ gen, disc, ds: '    preprocess { crop = 32 }' })), [
            "'ngf'",
            "'n_layers'",
        ]);
        assert.deepEqual(codes(config({ disc: '    n_layers = 3' })), []);
    });

    it('warns about custom folders outside custom mode and instance_dir with instances off', () => {
        assert.deepEqual(
            noEffect('dataset d {\n    mode = coco\n    root = "r"\n    image_dir = "i"\n}\n'),
            ["'image_dir'"],
        );
        assert.deepEqual(noEffect(config({ ds: '    instance_dir = "x"' })), ["'instance_dir'"]);
        assert.deepEqual(noEffect(config({ ds: '    portraits = off' })), ["'portraits'"]);
        assert.deepEqual(
            codes('dataset d {\n    mode = coco\n    root = "r"\n    portraits = off\n}\n'),
            [],
        );
        assert.deepEqual(noEffect(config({ ds: '    portraits = off' })), ["'portraits'"]);
        assert.deepEqual(
            codes('dataset d {\n    mode = coco\n    root = "r"\n    portraits = off\n}\n'),
            [],
        );
    });

    it('warns about load with preprocessing that does not resize', () => {
        assert.deepEqual(noEffect(config({ ds: '    preprocess { mode = fixed  load = 300 }' })), [
            "'load'",
        ]);
        assert.deepEqual(
            codes(config({ ds: '    preprocess { mode = resize_and_crop  load = 300 }' })),
            [],
        );
    });
});
