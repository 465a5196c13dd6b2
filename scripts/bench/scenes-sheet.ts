/**
 * A contact sheet for the README and reviews: one row per mask, the mask in its class colours
 * and then the image of the same name from each image folder given (real, synthesized, ...).
 * Usage: npx tsx scripts/bench/scenes-sheet.ts OUT.png MASKDIR IMAGEDIR [IMAGEDIR...]
 *        [--classes FILE] [--size PX] [--max N]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { OverlayOptions } from 'sharp';
import { colorizeLabels, parseClassFile } from '../../server/src/scenes/classes';
import { readLabel } from '../../server/src/scenes/evaluate-io';

async function main(): Promise<void> {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: {
            classes: { type: 'string' },
            size: { type: 'string', default: '192' },
            max: { type: 'string', default: '6' },
        },
    });
    const [out, maskDir, ...imageDirs] = positionals;
    if (out === undefined || maskDir === undefined || imageDirs.length === 0) {
        throw new Error(
            'usage: scenes-sheet.ts OUT.png MASKDIR IMAGEDIR [IMAGEDIR...] [--classes FILE]',
        );
    }
    const classPath = values.classes ?? path.join(maskDir, '..', 'classes.json');
    const classes = parseClassFile(fs.readFileSync(classPath, 'utf8'), classPath);
    const cell = Number(values.size);
    const stems = fs
        .readdirSync(maskDir)
        .filter((f) => f.endsWith('.png'))
        .map((f) => path.basename(f, '.png'))
        .sort()
        .slice(0, Number(values.max));
    const tiles: OverlayOptions[] = [];
    for (const [row, stem] of stems.entries()) {
        const lab = readLabel(path.join(maskDir, `${stem}.png`));
        const mask = colorizeLabels(lab.ids, classes);
        const raw = { width: lab.width, height: lab.height, channels: 3 as const };
        const input = await sharp(Buffer.from(mask), { raw })
            .resize(cell, cell, { kernel: 'nearest' })
            .png()
            .toBuffer();
        tiles.push({ input, left: 0, top: row * cell });
        for (const [col, dir] of imageDirs.entries()) {
            const file = fs
                .readdirSync(dir)
                .find((f) => path.basename(f, path.extname(f)) === stem);
            if (file === undefined) continue;
            const img = await sharp(path.join(dir, file)).resize(cell, cell).png().toBuffer();
            tiles.push({ input: img, left: (col + 1) * cell, top: row * cell });
        }
    }
    const width = cell * (imageDirs.length + 1);
    await sharp({ create: { width, height: cell * stems.length, channels: 3, background: '#000' } })
        .composite(tiles)
        .png()
        .toFile(out);
    process.stdout.write(
        `wrote ${out}: ${stems.length} rows, mask + ${imageDirs.length} image column(s)\n`,
    );
}

main().catch((e: unknown) => {
    process.stderr.write(`scenes-sheet: ${(e as Error).message}\n`);
    process.exitCode = 1;
});
