/**
 * The stand-in synthesis backend: answers after a fixed latency with an image made from the
 * mask (class colours, resized and blurred, tinted per seed and sample) so screenshots show
 * something that follows the strokes. Encoding time counts inside the latency.
 */
import sharp from 'sharp';
import type { Rgb, SynthImage, SynthesizeMessage } from '../../server/src/protocol/preview';
import type { SynthBackend } from './harness';

/** A `SynthBackend` with a fixed answer time. */
export class FixedLatencyBackend implements SynthBackend {
    calls = 0;

    constructor(
        private readonly latencyMs: number,
        private readonly colorOf: (id: number) => Rgb,
        private readonly size = 256,
    ) {}

    async synthesize(msg: SynthesizeMessage): Promise<SynthImage[]> {
        const t0 = performance.now();
        this.calls++;
        const { ids, width, height } = msg;
        const rgb = Buffer.alloc(width * height * 3);
        const lut = new Map<number, Rgb>();
        for (let i = 0; i < ids.length; i++) {
            let c = lut.get(ids[i]);
            if (!c) lut.set(ids[i], (c = this.colorOf(ids[i])));
            rgb[i * 3] = c[0];
            rgb[i * 3 + 1] = c[1];
            rgb[i * 3 + 2] = c[2];
        }
        const images = await Promise.all(
            Array.from({ length: msg.samples }, async (_, k) => {
                const png = await sharp(rgb, { raw: { width, height, channels: 3 } })
                    .resize(this.size, this.size, { fit: 'fill' })
                    .blur(2)
                    .modulate({ hue: ((msg.seed + k) * 47) % 360, saturation: 0.8 })
                    .png({ compressionLevel: 1 })
                    .toBuffer();
                return { width: this.size, height: this.size, png: new Uint8Array(png) };
            }),
        );
        const left = this.latencyMs - (performance.now() - t0);
        if (left > 0) await new Promise((r) => setTimeout(r, left));
        return images;
    }
}
