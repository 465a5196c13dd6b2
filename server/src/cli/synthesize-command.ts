/**
 * `spade synthesize [--model M] MASK...`: turns label maps into images with onnxruntime-node.
 * The model is the embedded default, an exported .onnx file, or a run folder / checkpoint
 * exported in memory. Masks are read by the data pipeline (8/16-bit ids, palette PNGs, RGB
 * through the model's class colours); images are written atomically as `<out>/<stem>.png`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { IMAGE_EXTENSIONS, naturalCompare } from '../data/dataset';
import { readLabelMap } from '../data/label-file';
import { readClassFile } from '../data/palettes';
import type { Palette } from '../data/palettes';
import { EncoderSession } from '../engine/onnx/encoder-session';
import type { StyleCode } from '../engine/onnx/encoder-session';
import { styleZ } from '../engine/onnx/encoder-session';
import type { LabelMap, RgbImage } from '../engine/onnx/preprocess';
import { GeneratorSession, readModelInfo } from '../engine/onnx/session';
import type { OnnxModelInfo } from '../engine/onnx/types';
import { writeFileAtomic } from '../util/atomic';
import type { CliIO, Command } from './command';
import { classPalette, resolveModel } from './model-source';
import type { ResolvedModel } from './model-source';
import { readStyleImage } from './style-source';

const USAGE = `usage: spade synthesize [--model M] [--out DIR] [--seed N] [--samples K]
                        [--style IMG] [--size model|mask] [--classes FILE]
                        [--instances DIR] MASK...

Synthesizes an image from each label map (mask) and writes it as DIR/<mask name>.png.

  MASK           a label map (8-bit or 16-bit ids, palette PNG, or RGB colours of the
                 model's classes), or a folder: every image inside, sorted by name
  --model M      an exported .onnx file, a run folder or a checkpoint folder (exported in
                 memory); default: the embedded model samples/default-model/generator.onnx
  --out DIR      output folder (default: out/synthesized in the current folder)
  --seed N       style seed for models with a style encoder (default 0)
  --samples K    style models: K images per mask, seeds N..N+K-1, named <name>-seed<S>.png
  --style IMG    style models: take the style from this image through the model's style
                 encoder (z = mu + eps(seed) * std; needs FILE.encoder.onnx beside an
                 exported FILE.onnx, or a run folder); default: random styles from the seed
  --size S       model (default): the model's output size; mask: scaled (Lanczos) to the
                 mask's own size
  --classes FILE class file (names, colours) for RGB masks; default: the model's own
  --instances DIR  instance maps (same names) for models that use instance edges; default:
                 an "instances" folder beside the masks' folder, else the masks' own edges

Exit code 0: every mask synthesized; 1: some masks failed; 2: bad usage or no usable model.`;

interface Args {
    model?: string;
    out: string;
    seed: number;
    samples: number;
    style?: string;
    size: 'model' | 'mask';
    classes?: string;
    instances?: string;
    masks: string[];
}

function wholeNumber(flag: string, text: string, min: number): number {
    if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
        throw new Error(`--${flag} is '${text}'; use a whole number of at least ${min}.`);
    }
    return Number(text);
}

function parse(args: string[]): Args | 'help' {
    const { values, positionals } = parseArgs({
        args,
        strict: true,
        allowPositionals: true,
        options: {
            model: { type: 'string' },
            out: { type: 'string' },
            seed: { type: 'string' },
            samples: { type: 'string' },
            style: { type: 'string' },
            size: { type: 'string' },
            classes: { type: 'string' },
            instances: { type: 'string' },
            help: { type: 'boolean', short: 'h' },
        },
    });
    if (values.help) return 'help';
    if (positionals.length === 0) throw new Error('name at least one MASK file or folder.');
    const size = values.size ?? 'model';
    if (size !== 'model' && size !== 'mask') {
        throw new Error(`--size is '${size}'; use model or mask.`);
    }
    return {
        model: values.model,
        out: values.out ?? path.join('out', 'synthesized'),
        seed: values.seed === undefined ? 0 : wholeNumber('seed', values.seed, 0),
        samples: values.samples === undefined ? 1 : wholeNumber('samples', values.samples, 1),
        style: values.style,
        size,
        classes: values.classes,
        instances: values.instances,
        masks: positionals,
    };
}

/** Mask files from the arguments; folders give their images (not recursive), sorted. */
function expandMasks(targets: string[], cwd: string, io: CliIO): { files: string[]; bad: number } {
    const files: string[] = [];
    let bad = 0;
    for (const t of targets) {
        const abs = path.resolve(cwd, t);
        try {
            if (fs.statSync(abs).isDirectory()) {
                const inside = fs
                    .readdirSync(abs)
                    .filter((n) => IMAGE_EXTENSIONS.includes(path.extname(n)))
                    .sort(naturalCompare)
                    .map((n) => path.join(abs, n));
                if (inside.length === 0)
                    io.err(`spade synthesize: ${abs}: holds no images; nothing to do there.`);
                files.push(...inside);
            } else files.push(abs);
        } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            const what = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`;
            io.err(`spade synthesize: ${abs}: ${what}; check the path.`);
            bad++;
        }
    }
    return { files, bad };
}

/** The first id the model does not know, with its place; undefined when all are known. */
export function unknownClass(
    m: LabelMap,
    info: Pick<OnnxModelInfo, 'labelNc' | 'containDontcare'>,
): { id: number; x: number; y: number; max: number } | undefined {
    let first = -1;
    let max = -1;
    for (let i = 0; i < m.ids.length; i++) {
        const v = m.ids[i];
        const dontcare = info.containDontcare && (v === 255 || v === info.labelNc);
        if (v >= info.labelNc && !dontcare) {
            if (first < 0) first = i;
            if (v > max) max = v;
        }
    }
    if (first < 0) return undefined;
    return { id: m.ids[first], x: first % m.width, y: Math.floor(first / m.width), max };
}

/** The instance map for a mask, when the model uses edges and one exists. */
function instanceFile(mask: string, dir: string | undefined): string | undefined {
    const folder = dir ?? path.join(path.dirname(path.dirname(mask)), 'instances');
    const stem = path.parse(mask).name;
    for (const ext of ['.png', path.extname(mask)]) {
        const f = path.join(folder, stem + ext);
        if (f !== mask && fs.existsSync(f)) return f;
    }
    return undefined;
}

/** Reads a mask (and its instance map when the model uses edges), checking its class ids. */
async function readMask(
    file: string,
    palette: Palette | undefined,
    info: OnnxModelInfo,
    where: string,
    instanceDir: string | undefined,
    io: CliIO,
): Promise<{ labels: LabelMap; instance?: LabelMap }> {
    const read = await readLabelMap(file, { palette });
    for (const i of read.issues) if (i.severity !== 'info') io.err(`note: ${i.message}`);
    const labels: LabelMap = { ids: read.ids.data, width: read.ids.width, height: read.ids.height };
    const unknown = unknownClass(labels, info);
    if (unknown) {
        throw new Error(
            `${file}: pixel (${unknown.x}, ${unknown.y}) ` +
                `has class id ${unknown.id} (largest ${unknown.max}), ` +
                `but the model ${where} knows ${info.labelNc} classes (ids 0..${info.labelNc - 1}` +
                `${info.containDontcare ? ', 255 = dontcare' : ''}); use a mask made for this model ` +
                'or a model trained with these classes',
        );
    }
    const inst = info.useInstance ? instanceFile(file, instanceDir) : undefined;
    if (inst === undefined) return { labels };
    const im = await readLabelMap(inst, { instance: true });
    return { labels, instance: { ids: im.ids.data, width: im.ids.width, height: im.ids.height } };
}

/** Writes RGB bytes as a PNG atomically, scaled (Lanczos) to `size` when that differs. */
async function writePng(
    img: RgbImage,
    size: { width: number; height: number },
    target: string,
): Promise<void> {
    let image = sharp(Buffer.from(img.rgb), {
        raw: { width: img.width, height: img.height, channels: 3 },
    });
    if (size.width !== img.width || size.height !== img.height) {
        image = image.resize(size.width, size.height, { kernel: 'lanczos3', fit: 'fill' });
    }
    writeFileAtomic(target, await image.png().toBuffer());
}

/** The style code of `--style IMG` through the model's encoder; errors say what is missing. */
async function encodeStyle(
    model: ResolvedModel,
    info: OnnxModelInfo,
    file: string,
    cwd: string,
): Promise<StyleCode> {
    if (info.zDim === 0) {
        throw new Error(
            `--style needs a model with a style encoder (use_vae); ${model.where} takes no ` +
                'style input. Drop --style, or pass a model trained with style = on',
        );
    }
    if (!model.encoder) {
        throw new Error(
            `--style: ${model.where} has ${model.encoderProblem ?? 'no style encoder'}`,
        );
    }
    const encoder = await EncoderSession.load(model.encoder.bytes, model.encoder.where);
    try {
        if (encoder.info.zDim !== info.zDim) {
            throw new Error(
                `${model.encoder.where}: the style encoder gives z of ${encoder.info.zDim} values ` +
                    `but the generator takes ${info.zDim}; export the run again`,
            );
        }
        const image = await readStyleImage(path.resolve(cwd, file), info.width, info.height);
        return await encoder.encode(image);
    } finally {
        await encoder.release();
    }
}

/** Why `dir` cannot be a folder of instance maps, or undefined when it can. */
function folderProblem(dir: string): string | undefined {
    try {
        return fs.statSync(dir).isDirectory() ? undefined : 'is a file, not a folder';
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        return code === 'ENOENT' ? 'no such folder' : `cannot be read (${code})`;
    }
}

/** `--classes FILE` as a palette; errors say what the file should be. */
function readClasses(file: string): Palette | undefined {
    try {
        return readClassFile(file).palette;
    } catch (e) {
        throw new Error(
            `--classes: ${(e as Error).message.replace(/\.$/, '')}; pass a JSON class file ` +
                '({"names": [...], "colors": [[r, g, b], ...]}), or drop --classes to use the ' +
                "model's own classes",
            { cause: e },
        );
    }
}

/** The model's metadata; a file that is not a SPADE ONNX model says what to pass instead. */
function modelInfo(model: ResolvedModel): OnnxModelInfo {
    try {
        return readModelInfo(model.bytes, model.where);
    } catch (e) {
        const msg = (e as Error).message;
        if (!/not an ONNX model/.test(msg)) throw e;
        throw new Error(
            `${msg}; --model takes an .onnx file exported by \`spade export\`, a run folder or a ` +
                'checkpoint folder',
            { cause: e },
        );
    }
}

async function runSynthesize(args: string[], io: CliIO): Promise<number> {
    let a: Args;
    try {
        const p = parse(args);
        if (p === 'help') {
            io.out(USAGE);
            return 0;
        }
        a = p;
    } catch (e) {
        io.err(`spade synthesize: ${(e as Error).message}`);
        io.err(USAGE);
        return 2;
    }
    // Masks and the instance folder first: a typo there should not wait for a model to load.
    const { files, bad: missing } = expandMasks(a.masks, io.cwd, io);
    const instanceDir = a.instances === undefined ? undefined : path.resolve(io.cwd, a.instances);
    const instanceProblem = instanceDir === undefined ? undefined : folderProblem(instanceDir);
    if (instanceProblem !== undefined) {
        io.err(
            `spade synthesize: --instances ${instanceDir}: ${instanceProblem}; name the folder ` +
                'of instance maps (same names as the masks), or drop --instances to use the ' +
                "masks' own edges.",
        );
        return 2;
    }
    if (files.length === 0) {
        io.err(
            'spade synthesize: no masks to synthesize; name label map files or folders of them.',
        );
        return missing > 0 ? 1 : 0;
    }
    const t0 = performance.now();
    let session: GeneratorSession;
    let palette: Palette | undefined;
    let where: string;
    let style: StyleCode | undefined;
    try {
        const model = resolveModel(a.model, io.cwd);
        where = model.where;
        palette = classPalette(model.classes);
        if (a.classes !== undefined) palette = readClasses(path.resolve(io.cwd, a.classes));
        // Read the metadata first so a foreign file's error names the file, not the bytes.
        const info = modelInfo(model);
        if (a.style !== undefined) style = await encodeStyle(model, info, a.style, io.cwd);
        session = await GeneratorSession.load(model.bytes);
    } catch (e) {
        io.err(`spade synthesize: ${(e as Error).message.replace(/\.$/, '')}.`);
        return 2;
    }
    const info = session.info;
    const loadMs = performance.now() - t0;
    const outDir = path.resolve(io.cwd, a.out);
    const samples = info.zDim > 0 ? a.samples : 1;
    if (a.samples > 1 && info.zDim === 0) {
        io.err(
            `note: ${where} has no style input, so --samples ${a.samples} gives one image per mask.`,
        );
    }
    let failed = missing;
    let written = 0;
    let synthMs = 0;
    const used = new Set<string>();
    try {
        fs.mkdirSync(outDir, { recursive: true });
    } catch (e) {
        io.err(
            `spade synthesize: ${outDir}: cannot create the output folder ` +
                `(${(e as NodeJS.ErrnoException).code}); choose another --out.`,
        );
        await session.release();
        return 2;
    }
    for (const file of files) {
        try {
            const { labels, instance } = await readMask(
                file,
                palette,
                info,
                where,
                instanceDir,
                io,
            );
            let stem = path.parse(file).name;
            if (used.has(stem)) {
                let n = 2;
                while (used.has(`${stem}-${n}`)) n++;
                io.err(
                    `note: two masks are named ${stem}; ${file} is written as ${stem}-${n}.png.`,
                );
                stem = `${stem}-${n}`;
            }
            used.add(stem);
            for (let k = 0; k < samples; k++) {
                const seed = a.seed + k;
                const t = performance.now();
                const z = style ? styleZ(style, seed) : undefined;
                const img = await session.synthesizeOne({ labels, instance, seed, z });
                synthMs += performance.now() - t;
                const name = samples > 1 ? `${stem}-seed${seed}.png` : `${stem}.png`;
                await writePng(img, a.size === 'mask' ? labels : img, path.join(outDir, name));
                written++;
            }
        } catch (e) {
            // Session errors name the model's bytes, not the mask: say which mask it was.
            const msg = (e as Error).message.replace(/^exported model: /, `${where}: `);
            io.err(`spade synthesize: ${msg.includes(file) ? msg : `${file}: ${msg}`}`);
            failed++;
        }
    }
    await session.release();
    const total = (performance.now() - t0) / 1000;
    const per = written > 0 ? `, ${(synthMs / written).toFixed(0)} ms per image` : '';
    if (written > 0) io.out(`Images written to ${outDir}`);
    const sizeNote = a.size === 'mask' ? 'mask size' : `${info.width}x${info.height}`;
    const maskCount = files.length + missing;
    io.out(
        `${written} image${written === 1 ? '' : 's'} (${sizeNote}) from ` +
            `${files.length - (failed - missing)} of ${maskCount} ` +
            `mask${maskCount === 1 ? '' : 's'} ` +
            `in ${total.toFixed(2)} s (model ${(loadMs / 1000).toFixed(2)} s${per}).`,
    );
    return failed > 0 ? 1 : 0;
}

/** The command as the CLI's command table lists it. */
export const synthesizeCommand: Command = {
    name: 'synthesize',
    summary: 'synthesize images from masks with a model (default: the embedded one)',
    usage: USAGE,
    run: runSynthesize,
};
