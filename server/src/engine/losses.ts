/**
 * The reference's losses (models/networks/loss.py and pix2pix_model.py): GAN losses over the
 * multiscale discriminator's last outputs, discriminator feature matching and the VAE's KLD.
 */
import * as tf from '@tensorflow/tfjs';
import type { GanMode } from './options';

/** Per scale: the features the discriminator returned, last = patch logits. */
export type DOutput = tf.Tensor[][];

function scaleLoss(x: tf.Tensor, mode: GanMode, real: boolean, forD: boolean): tf.Scalar {
    switch (mode) {
        case 'hinge':
            if (!forD) {
                if (!real) throw new Error("the generator's hinge loss must aim for real");
                return tf.neg(tf.mean(x)) as tf.Scalar;
            }
            return tf.neg(
                tf.mean(tf.minimum(real ? tf.sub(x, 1) : tf.sub(tf.neg(x), 1), 0)),
            ) as tf.Scalar;
        case 'ls':
            return tf.mean(tf.square(tf.sub(x, real ? 1 : 0)));
        case 'original': {
            // binary_cross_entropy_with_logits, in its stable form.
            const t = real ? 1 : 0;
            return tf.mean(
                tf.add(tf.sub(tf.relu(x), tf.mul(x, t)), tf.log1p(tf.exp(tf.neg(tf.abs(x))))),
            );
        }
        case 'w':
            return (real ? tf.neg(tf.mean(x)) : tf.mean(x)) as tf.Scalar;
    }
}

/** `GANLoss(pred, target_is_real, for_discriminator)`: mean over scales of each scale's loss. */
export function ganLoss(
    pred: DOutput,
    mode: GanMode,
    targetIsReal: boolean,
    forDiscriminator: boolean,
): tf.Scalar {
    return tf.tidy(() => {
        const per = pred.map((feats) =>
            scaleLoss(feats[feats.length - 1], mode, targetIsReal, forDiscriminator),
        );
        return tf.div<tf.Scalar>(tf.addN(per), pred.length);
    });
}

/**
 * Feature matching: sum over scales and intermediate layers (not the last output) of
 * L1 mean(fake, real) * lambdaFeat / numD. `real` is treated as a constant by the caller.
 */
export function featureMatchingLoss(fake: DOutput, real: DOutput, lambdaFeat: number): tf.Scalar {
    return tf.tidy(() => {
        const terms: tf.Tensor[] = [];
        const numD = fake.length;
        fake.forEach((ff, i) => {
            for (let j = 0; j < ff.length - 1; j++) {
                terms.push(tf.mul(tf.mean(tf.abs(tf.sub(ff[j], real[i][j]))), lambdaFeat / numD));
            }
        });
        return (terms.length ? tf.addN(terms) : tf.scalar(0)) as tf.Scalar;
    });
}

/** KLD = -0.5 * sum(1 + logvar - mu^2 - exp(logvar)), summed over batch and z (before lambda_kld). */
export function kldLoss(mu: tf.Tensor, logvar: tf.Tensor): tf.Scalar {
    return tf.tidy(() =>
        tf.mul<tf.Scalar>(
            tf.sum(tf.sub(tf.sub(tf.add(logvar, 1), tf.square(mu)), tf.exp(logvar))),
            -0.5,
        ),
    );
}

/** Splits a D output on cat(fake, real) along the batch axis into the two halves. */
export function dividePred(pred: DOutput): { fake: DOutput; real: DOutput } {
    const fake: DOutput = [];
    const real: DOutput = [];
    for (const feats of pred) {
        const f: tf.Tensor[] = [];
        const r: tf.Tensor[] = [];
        for (const t of feats) {
            const half = t.shape[0] / 2;
            const [a, b] = tf.split(t, [half, half], 0);
            f.push(a);
            r.push(b);
        }
        fake.push(f);
        real.push(r);
    }
    return { fake, real };
}
