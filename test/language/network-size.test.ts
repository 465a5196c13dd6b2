/**
 * Parameter counts and shapes from language/network-size.ts against the reference: the golden
 * state dicts in shared/refdata carry the options (metadata `opt`) and every weight, so the
 * expected counts are summed from the files here, never written down.
 */
import * as assert from 'node:assert/strict';
import { readSafetensors } from '../../server/src/engine/safetensors';
import type { PlainNorm, Upsampling } from '../../server/src/engine/options';
import {
    discriminatorSize,
    encoderSize,
    formatCount,
    generatorSize,
    trainingMemoryBytes,
    type DataDims,
    type GeneratorDims,
} from '../../server/src/language/network-size';
import { requireShared } from '../support/shared';

/** Reference options as the golden files store them. */
interface RefOpt {
    ngf: number;
    ndf: number;
    num_upsampling_layers: Upsampling;
    crop_size: number;
    aspect_ratio: number;
    semantic_nc: number;
    output_nc: number;
    use_vae: boolean;
    z_dim: number;
    num_D: number;
    n_layers_D: number;
    norm_D: string;
}

/**
 * Learnable parameters in a golden file: every `state/` tensor except BatchNorm running
 * statistics (buffers). Spectral norm is stored as the effective weight, one tensor per conv.
 */
function learnable(file: string, only?: RegExp): { count: number; opt: RefOpt } {
    const f = readSafetensors(file);
    let count = 0;
    for (const [name, t] of f.tensors) {
        if (!name.startsWith('state/') || /running_(mean|var)|num_batches_tracked/.test(name))
            continue;
        if (only && !only.test(name.slice(6))) continue;
        count += t.shape.reduce((a, b) => a * b, 1);
    }
    return { count, opt: JSON.parse(f.metadata.opt) as RefOpt };
}

const data = (o: RefOpt): DataDims => ({
    semanticNc: o.semantic_nc,
    crop: o.crop_size,
    aspect: o.aspect_ratio,
    outputNc: o.output_nc,
});

const gen = (o: RefOpt, useVae = o.use_vae): GeneratorDims => ({
    ngf: o.ngf,
    upsampling: o.num_upsampling_layers,
    spadeKernel: 3,
    spadeHidden: 128,
    useVae,
    zDim: o.z_dim,
    encoderNorm: 'instance',
});

describe('network sizes', function () {
    it('the SPADE generator has exactly the reference number of parameters', function () {
        const { count, opt } = learnable(
            requireShared(this, 'refdata', 'generator_small.safetensors'),
        );
        assert.ok(count > 1e6);
        assert.equal(generatorSize(gen(opt), data(opt)).params, count);
    });

    it('the VAE generator (fc from z) has the reference number of parameters', function () {
        const small = learnable(requireShared(this, 'refdata', 'generator_small.safetensors'));
        const fcOfSmall = learnable(
            requireShared(this, 'refdata', 'generator_small.safetensors'),
            /^fc\./,
        );
        // generator_vae stores only its own fc; the other weights are generator_small's.
        const vae = learnable(requireShared(this, 'refdata', 'generator_vae.safetensors'));
        assert.equal(vae.opt.use_vae, true);
        const expected = small.count - fcOfSmall.count + vae.count;
        assert.equal(generatorSize(gen(vae.opt), data(vae.opt)).params, expected);
    });

    it('the style encoder has the reference number of parameters', function () {
        const { count, opt } = learnable(requireShared(this, 'refdata', 'encoder_vae.safetensors'));
        assert.equal(encoderSize(gen(opt, true), data(opt)).params, count);
    });

    it('the multiscale discriminator has the reference number of parameters', function () {
        const { count, opt } = learnable(
            requireShared(this, 'refdata', 'discriminator_multiscale.safetensors'),
        );
        const norm = opt.norm_D.replace(/^spectral/, '') as PlainNorm;
        const size = discriminatorSize(
            { ndf: opt.ndf, numD: opt.num_D, nLayers: opt.n_layers_D, norm },
            data(opt),
        );
        assert.equal(size.params, count);
    });

    it('COCO-Stuff at 256 with ngf 64 gives the 97.5 M of the reference log', () => {
        const g = generatorSize(
            {
                ngf: 64,
                upsampling: 'normal',
                spadeKernel: 3,
                spadeHidden: 128,
                useVae: false,
                zDim: 256,
                encoderNorm: 'instance',
            },
            { semanticNc: 184, crop: 256, aspect: 1, outputNc: 3 },
        );
        assert.equal(formatCount(g.params), '97.5 M');
        const last = g.stages[g.stages.length - 1];
        assert.deepEqual([last.channels, last.height, last.width], [3, 256, 256]);
        assert.deepEqual([g.stages[0].channels, g.stages[0].height], [1024, 8]);
    });

    it('counts batch-norm affine parameters in the discriminator but not instance norm', () => {
        const d: DataDims = { semanticNc: 10, crop: 64, aspect: 1, outputNc: 3 };
        const dims = { ndf: 16, numD: 1, nLayers: 3 };
        const inst = discriminatorSize({ ...dims, norm: 'instance' }, d).params;
        const batch = discriminatorSize({ ...dims, norm: 'batch' }, d).params;
        // Two normalised convs (32 and 64 channels): weight and bias each.
        assert.equal(batch - inst, 2 * (32 + 64));
    });

    it('estimates more memory for a bigger batch and for the VGG loss', () => {
        const d: DataDims = { semanticNc: 184, crop: 256, aspect: 1, outputNc: 3 };
        const g = generatorSize(
            {
                ngf: 64,
                upsampling: 'normal',
                spadeKernel: 3,
                spadeHidden: 128,
                useVae: false,
                zDim: 256,
                encoderNorm: 'instance',
            },
            d,
        );
        const dis = discriminatorSize({ ndf: 64, numD: 2, nLayers: 4, norm: 'instance' }, d);
        const m = (batch: number, vgg: boolean) =>
            trainingMemoryBytes({
                generator: g,
                discriminator: dis,
                batch,
                crop: 256,
                aspect: 1,
                vgg,
            });
        assert.ok(m(8, true) > m(1, true));
        assert.ok(m(8, true) > m(8, false));
        // Weights, gradients and Adam moments alone: 16 bytes per trainable parameter.
        assert.ok(m(1, false) > 16 * (g.params + dis.params));
    });
});
