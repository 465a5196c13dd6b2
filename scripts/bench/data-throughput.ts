/**
 * Data pipeline throughput: images per second for decode + preprocess + one-hot at 256x256
 * (coco, resize_and_crop 286 -> 256, 184 input channels) on the COCO-Stuff samples, beside the
 * reference loader's 20-23 items/s (PIL, one thread, 8 val samples; perf-baseline.md).
 *
 *   npx tsx scripts/bench/data-throughput.ts [passes=5]
 *
 * CPU ms per image counts every thread of the process (sharp's decoders included); on a busy
 * machine it is steadier than images/s. The reference's figure is about 43-50 ms per image.
 * Set SPADE_SHARED to find the samples elsewhere than ../shared.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { DataLoader } from '../../server/src/data/loader';
import type { DatasetOptions } from '../../server/src/engine/options';

const shared = path.resolve(__dirname, '..', '..', process.env.SPADE_SHARED ?? '../shared');
const root = path.join(shared, 'data', 'coco_stuff');
const passes = Number(process.argv[2] ?? 5);

function options(phase: 'train' | 'test'): DatasetOptions {
    return {
        mode: 'coco',
        root,
        labelNc: 182,
        containDontcare: true,
        useInstance: true,
        preprocess: 'resize_and_crop',
        loadSize: 286,
        cropSize: 256,
        aspectRatio: 1,
        flip: true,
        onBadSample: 'stop',
        phase,
    };
}

async function run(phase: 'train' | 'test', concurrency: number, batchSize: number) {
    const dl = DataLoader.open(options(phase), {
        seed: 1,
        batchSize,
        train: true,
        dropLast: false,
        concurrency,
        prefetch: concurrency > 1 ? 2 : 1,
    });
    const rates: number[] = [];
    const cpu: number[] = [];
    for (let epoch = 1; epoch <= passes; epoch++) {
        const t0 = process.hrtime.bigint();
        const c0 = process.cpuUsage();
        let n = 0;
        for await (const b of dl.batches({ epoch, step: 0 })) n += b.size;
        const c = process.cpuUsage(c0);
        rates.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
        cpu.push((c.user + c.system) / 1000 / n);
    }
    const mid = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    return { median: mid(rates), best: Math.max(...rates), cpuMs: mid(cpu) };
}

async function main() {
    console.log(
        `node ${process.version}, ${os.cpus().length} CPU(s), ${passes} passes, median (best)`,
    );
    console.log(
        `load average before: ${os
            .loadavg()
            .map((x) => x.toFixed(1))
            .join(' ')}`,
    );
    console.log('| samples | loader | images/s | vs reference 20-23 | CPU ms per image |');
    console.log('|---|---|---|---|---|');
    for (const [phase, label] of [
        ['test', '8 val'],
        ['train', '13 train'],
    ] as const) {
        for (const [conc, batch, what] of [
            [1, 1, 'serial, batch 1'],
            [os.cpus().length, 1, `prefetch, ${os.cpus().length} at once, batch 1`],
            [os.cpus().length, 4, `prefetch, ${os.cpus().length} at once, batch 4`],
        ] as const) {
            const r = await run(phase, conc, batch);
            const ratio = (r.median / 21.5).toFixed(2);
            const rate = `${r.median.toFixed(1)} (${r.best.toFixed(1)})`;
            console.log(`| ${label} | ${what} | ${rate} | ${ratio}x | ${r.cpuMs.toFixed(1)} |`);
        }
    }
}

main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
});
