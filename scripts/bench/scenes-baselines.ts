/**
 * Reference points for `spade evaluate` on the held-out samples: what a perfect model, a
 * perfect model at lower resolution, a colour-only model, a blurry model and an untrained
 * (flat grey or noise) model score. Prints a Markdown table for docs/scenes.md.
 * Usage: npx tsx scripts/bench/scenes-baselines.ts [samplesDir=samples/scenes]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { evaluateDirs, readLabel, readRgb } from '../../server/src/scenes/evaluate-io';
import { renderSetScene } from '../../server/src/scenes/generate';
import { SCENE_CLASSES } from '../../server/src/scenes/classes';

type Painter = (rgb: Uint8Array, ids: Int32Array, w: number, h: number) => Promise<Buffer>;

/** Mean colour per class over 200 training scenes (seed 1, 128x128). */
function trainingMeans(): number[][] {
    const acc = SCENE_CLASSES.map(() => [0, 0, 0, 0]);
    for (let i = 0; i < 200; i++) {
        const s = renderSetScene(1, i, 128, 128);
        for (let p = 0; p < s.label.length; p++) {
            const a = acc[s.label[p]];
            for (let k = 0; k < 3; k++) a[k] += s.rgb[p * 3 + k];
            a[3]++;
        }
    }
    return acc.map((a) => [a[0] / a[3], a[1] / a[3], a[2] / a[3]]);
}

const raw = (data: Uint8Array, w: number, h: number) =>
    sharp(Buffer.from(data), { raw: { width: w, height: h, channels: 3 } });

async function main(): Promise<void> {
    const samples = path.resolve(process.argv[2] ?? 'samples/scenes');
    const labels = path.join(samples, 'masks');
    const real = path.join(samples, 'images');
    const means = trainingMeans();
    let seed = 12345;
    const noise = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 255;
    const painters: [string, Painter][] = [
        ['real images (perfect model)', (rgb, _i, w, h) => raw(rgb, w, h).png().toBuffer()],
        [
            'real images at 128x128',
            (rgb, _i, w, h) => raw(rgb, w, h).resize(128, 128).png().toBuffer(),
        ],
        ['real images at 64x64', (rgb, _i, w, h) => raw(rgb, w, h).resize(64, 64).png().toBuffer()],
        [
            'real images blurred (sigma 2)',
            (rgb, _i, w, h) => raw(rgb, w, h).blur(2).png().toBuffer(),
        ],
        [
            'class mean colours (colour-only model)',
            (_rgb, ids, w, h) =>
                raw(
                    Uint8Array.from({ length: w * h * 3 }, (_v, k) =>
                        Math.round(means[ids[Math.floor(k / 3)]][k % 3]),
                    ),
                    w,
                    h,
                )
                    .png()
                    .toBuffer(),
        ],
        [
            'flat grey (untrained)',
            (_rgb, _ids, w, h) =>
                raw(new Uint8Array(w * h * 3).fill(128), w, h)
                    .png()
                    .toBuffer(),
        ],
        [
            'uniform noise (untrained)',
            (_rgb, _ids, w, h) =>
                raw(Uint8Array.from({ length: w * h * 3 }, noise), w, h)
                    .png()
                    .toBuffer(),
        ],
    ];
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scenes-baselines-'));
    const rows = ['| prediction | score | class-mean distance |', '|---|---:|---:|'];
    try {
        for (const [name, paint] of painters) {
            const dir = fs.mkdtempSync(path.join(tmp, 'p-'));
            for (const f of fs.readdirSync(labels)) {
                const stem = path.basename(f, '.png');
                const lab = readLabel(path.join(labels, f));
                const img = await readRgb(path.join(real, `${stem}.jpg`));
                fs.writeFileSync(
                    path.join(dir, `${stem}.png`),
                    await paint(img.rgb, lab.ids, img.width, img.height),
                );
            }
            const r = await evaluateDirs({ predDir: dir, realDir: real, labelDir: labels });
            rows.push(
                `| ${name} | ${r.report.score.toFixed(2)} | ${r.report.classMeanScore.toFixed(2)} |`,
            );
        }
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    process.stdout.write(rows.join('\n') + '\n');
}

main().catch((e: unknown) => {
    process.stderr.write(`scenes-baselines: ${(e as Error).message}\n`);
    process.exitCode = 1;
});
