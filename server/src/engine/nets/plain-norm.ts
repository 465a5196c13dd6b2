/**
 * `get_nonspade_norm_layer` of the reference: a conv wrapped in spectral norm and/or followed
 * by a plain norm. With a norm the conv loses its bias and sits at `<name>.0`, the norm at
 * `<name>.1`; without one the conv is `<name>` itself.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Store } from '../layers/core';
import { Conv2d, Norm2d } from '../layers/core';
import type { PlainNorm } from '../options';

/** A conv with the reference's non-SPADE norm. */
export class NormConv {
    readonly conv: Conv2d;
    readonly norm: Norm2d | null;

    constructor(
        store: Store,
        name: string,
        cin: number,
        cout: number,
        k: number,
        stride: number,
        pad: number,
        spectral: boolean,
        norm: PlainNorm,
    ) {
        const hasNorm = norm !== 'none';
        this.conv = new Conv2d(store, hasNorm ? `${name}.0` : name, cin, cout, k, {
            stride,
            pad,
            spectral,
            bias: !hasNorm,
        });
        this.norm = hasNorm
            ? new Norm2d(
                  store,
                  `${name}.1`,
                  norm === 'instance' ? 'instance' : 'batch',
                  cout,
                  norm !== 'instance',
              )
            : null;
    }

    forward(x: tf.Tensor4D, inputGrad: boolean | number = true): tf.Tensor4D {
        const y = this.conv.forward(x, inputGrad);
        return this.norm ? this.norm.forward(y) : y;
    }
}
