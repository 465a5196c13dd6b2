/** `spade make-scenes`: writes a procedural landscape data set (see docs/scenes.md). */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliIO, Command } from './command';
import { LAYOUTS, SceneOptionError, generateScenes } from '../scenes/generate';
import type { GenerateScenesOptions, SceneLayout } from '../scenes/generate';

const USAGE = `usage: spade make-scenes --out DIR [--count N] [--size S | --size WxH] [--seed K]
                         [--format jpeg|png] [--layout dataset|samples] [--quiet]

Writes N procedural landscape scenes (sky, clouds, mountains, water, sand, grass, trees, rock,
snow) as image / label map / instance map triples with matching names, plus classes.json and
scenes.json. The same seed and size give the same files.

  --out DIR      folder to write into (created if missing; same-named files are replaced)
  --count N      number of scenes (default 100)
  --size S       square side in pixels, or WxH (default 256)
  --seed K       set seed, 0..4294967295 (default 1)
  --format F     image format: jpeg (default) or png
  --layout L     dataset: image/ label/ instance/ (default); samples: images/ masks/ instances/
  --quiet        no progress lines
`;

function wholeNumber(flag: string, text: string): number {
    if (!/^\d+$/.test(text)) {
        throw new SceneOptionError(flag, `--${flag} is "${text}"; use a whole number.`);
    }
    return Number(text);
}

function parseSize(text: string): GenerateScenesOptions['size'] {
    const m = /^(\d+)(?:x(\d+))?$/i.exec(text);
    if (!m)
        throw new SceneOptionError(
            'size',
            `--size is "${text}"; use a number like 256 or WxH like 320x240.`,
        );
    return m[2] === undefined ? Number(m[1]) : { width: Number(m[1]), height: Number(m[2]) };
}

async function runMakeScenes(args: string[], io: CliIO): Promise<number> {
    let options: GenerateScenesOptions;
    let quiet = false;
    try {
        const { values } = parseArgs({
            args,
            strict: true,
            allowPositionals: false,
            options: {
                out: { type: 'string' },
                count: { type: 'string' },
                size: { type: 'string' },
                seed: { type: 'string' },
                format: { type: 'string' },
                layout: { type: 'string' },
                quiet: { type: 'boolean' },
                help: { type: 'boolean', short: 'h' },
            },
        });
        if (values.help) {
            io.out(USAGE.trimEnd());
            return 0;
        }
        if (values.out === undefined)
            throw new SceneOptionError(
                'out',
                '--out DIR is required: the folder to write the scenes into.',
            );
        const format = values.format ?? 'jpeg';
        if (format !== 'jpeg' && format !== 'png')
            throw new SceneOptionError('format', `--format is "${format}"; use jpeg or png.`);
        const layout = values.layout ?? 'dataset';
        if (!(layout in LAYOUTS))
            throw new SceneOptionError(
                'layout',
                `--layout is "${layout}"; use dataset or samples.`,
            );
        quiet = values.quiet === true;
        options = {
            outDir: path.resolve(io.cwd, values.out),
            count: wholeNumber('count', values.count ?? '100'),
            size: parseSize(values.size ?? '256'),
            seed: wholeNumber('seed', values.seed ?? '1'),
            format,
            layout: layout as SceneLayout,
        };
    } catch (e) {
        io.err(`spade make-scenes: ${(e as Error).message}`);
        io.err(USAGE.trimEnd());
        return 2;
    }
    let lastShown = 0;
    const started = Date.now();
    options.onProgress = (done, total) => {
        if (quiet || (done < total && Date.now() - lastShown < 2000)) return;
        lastShown = Date.now();
        io.err(`make-scenes: ${done}/${total} scenes`);
    };
    try {
        const r = await generateScenes(options);
        const d = LAYOUTS[options.layout ?? 'dataset'];
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        io.out(
            `Wrote ${r.stems.length} scenes of ${r.width}x${r.height} to ${r.outDir} in ${secs} s:`,
        );
        io.out(`  ${d.image}/, ${d.label}/, ${d.instance}/, classes.json, scenes.json`);
        return 0;
    } catch (e) {
        io.err(`spade make-scenes: ${(e as Error).message}`);
        if (e instanceof SceneOptionError) {
            io.err(USAGE.trimEnd());
            return 2;
        }
        io.err('Check that the folder is writable and has free space, then run the command again.');
        return 1;
    }
}

/** The command as the CLI's command table lists it. */
export const makeScenesCommand: Command = {
    name: 'make-scenes',
    summary: 'write a procedural landscape data set (images, label maps, instance maps)',
    usage: USAGE.trimEnd(),
    run: runMakeScenes,
};
