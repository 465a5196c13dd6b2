/**
 * Where a generator comes from, shared by `spade export`, `spade synthesize` and the preview:
 * the embedded default model, an exported .onnx file, or a run folder / checkpoint exported in
 * memory (spectral norm folded, weights from the checkpoint's G file, options from the
 * checkpoint's state.json or the run's options.json). A VAE model's style encoder travels as
 * a second ONNX file beside the generator's (`encoderPathFor`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { builtinPalette, readClassFile } from '../data/palettes';
import type { Palette } from '../data/palettes';
import type { RunOptions } from '../engine/options';
import { exportEncoder } from '../engine/onnx/encoder-export';
import type { ExportedEncoder } from '../engine/onnx/encoder-export';
import { exportGenerator } from '../engine/onnx/export';
import { foldSpectralState } from '../engine/onnx/spectral';
import type { OnnxModelInfo, StateDict } from '../engine/onnx/types';
import { CheckpointStore } from '../jobs/checkpoints';
import { readJson } from '../jobs/run-folder';

/** Metadata key holding `ModelClasses` as JSON, beside the exporter's `spade.info`. */
export const CLASSES_KEY = 'spade.classes';
/** Metadata key holding `ModelSource` as JSON: which run and step the weights came from. */
export const SOURCE_KEY = 'spade.source';

/** Class names and colours travelling with a model, for RGB masks and display. */
export interface ModelClasses {
    names?: string[];
    /** Palette entries `[id, r, g, b]`. */
    palette?: Array<[number, number, number, number]>;
    /** Where they were read from, for messages. */
    source: string;
}

/**
 * Which checkpoint an export came from. Names only, no local paths: an exported model is
 * shared, and the folders it was made in mean nothing (and say too much) elsewhere.
 */
export interface ModelSource {
    /** The run folder's name. */
    run: string;
    step: number;
    /** The checkpoint folder relative to the run folder (`checkpoints/step-NNNNNNNN`). */
    checkpoint: string;
}

/** A generator exported from a run folder or checkpoint (not yet written anywhere). */
export interface RunExport {
    bytes: Uint8Array;
    info: OnnxModelInfo;
    runDir: string;
    checkpointDir: string;
    step: number;
    options: RunOptions;
    classes?: ModelClasses;
    /** The style encoder, for runs that use one (`use_vae`). */
    encoder?: ExportedEncoder;
    /**
     * Why a run with a style encoder has no `encoder` here (its weights did not export), as
     * the object of "<model> has …".
     */
    encoderProblem?: string;
}

/** Where a generator's style encoder lives: `model.onnx` -> `model.encoder.onnx`. */
export function encoderPathFor(generatorFile: string): string {
    return generatorFile.replace(/\.onnx$/i, '') + '.encoder.onnx';
}

/**
 * The package root: the nearest folder above `from` holding a package.json. From the bundle
 * (dist/cli.js, dist/server.js) that is `dist/..`; from the sources (tests) the repository.
 */
export function packageRoot(from: string = __dirname): string {
    let dir = path.resolve(from);
    for (;;) {
        if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
        const up = path.dirname(dir);
        if (up === dir) return path.resolve(from, '..');
        dir = up;
    }
}

/** The embedded default model: samples/default-model/generator.onnx in the installed package. */
export function defaultModelPath(): string {
    return path.join(packageRoot(), 'samples', 'default-model', 'generator.onnx');
}

/** What to tell a user whose default model is missing. */
export function missingDefaultModelMessage(file: string): string {
    return (
        `the embedded default model is missing (expected ${file}). Make it by training ` +
        'samples/default-model/landscapes-64.spade (`spade train samples/default-model/' +
        'landscapes-64.spade`, then `spade export <run folder> --out ' +
        'samples/default-model/generator.onnx`; see samples/default-model/README.md), or pass ' +
        '--model with an .onnx file, a run folder or a checkpoint'
    );
}

/** The checkpoint folder a run folder or checkpoint path names; errors say what to do. */
export function locateCheckpoint(target: string): { runDir: string; checkpointDir: string } {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(target);
    } catch {
        throw new Error(`${target}: does not exist; name a run folder or a checkpoint folder`);
    }
    if (!stat.isDirectory()) {
        throw new Error(
            `${target}: is a file; name a run folder (with checkpoints/) or a checkpoint ` +
                'folder (checkpoints/step-NNNNNNNN with state.json)',
        );
    }
    if (fs.existsSync(path.join(target, 'state.json'))) {
        const parent = path.dirname(target);
        const runDir = path.basename(parent) === 'checkpoints' ? path.dirname(parent) : parent;
        return { runDir, checkpointDir: target };
    }
    const latest = new CheckpointStore(target, 1).latest();
    if (latest === undefined) {
        const looksLikeRun =
            fs.existsSync(path.join(target, 'options.json')) ||
            fs.existsSync(path.join(target, 'checkpoints'));
        throw new Error(
            looksLikeRun
                ? `${target}: the run has no checkpoint yet (${path.join(target, 'checkpoints')} ` +
                      'holds none); train first (`spade train CONFIG`) or wait for its first save'
                : `${target}: neither a run folder (no checkpoints/ or options.json) nor a ` +
                      'checkpoint folder (no state.json); name the folder `spade train` wrote',
        );
    }
    return { runDir: target, checkpointDir: latest.dir };
}

/** Class names and colours from the run's class file or its data set's built-in palette. */
function runClasses(options: RunOptions): ModelClasses | undefined {
    const file = options.dataset.classFile;
    if (file !== undefined && fs.existsSync(file)) {
        try {
            const c = readClassFile(file);
            return { names: c.names, palette: c.palette?.entries, source: file };
        } catch {
            // A broken class file only costs RGB-mask support; the export itself is fine.
        }
    }
    const p = builtinPalette(options.dataset.mode);
    return p ? { palette: p.entries, source: p.source } : undefined;
}

/** Adds string metadata to serialised ONNX model bytes. */
export function withMetadata(bytes: Uint8Array, meta: Record<string, string>): Uint8Array {
    const model = onnx.ModelProto.decode(bytes);
    for (const [key, value] of Object.entries(meta)) {
        model.metadataProps = model.metadataProps.filter((p) => p.key !== key);
        model.metadataProps.push(onnx.StringStringEntryProto.create({ key, value }));
    }
    return onnx.ModelProto.encode(model).finish();
}

/** Reads one JSON metadata entry of an ONNX model; undefined when absent or unreadable. */
export function readMetadata<T>(bytes: Uint8Array, key: string): T | undefined {
    try {
        const entry = onnx.ModelProto.decode(bytes).metadataProps.find((p) => p.key === key);
        return entry?.value ? (JSON.parse(entry.value) as T) : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Exports a run folder's latest checkpoint (or the given checkpoint) to ONNX bytes, with the
 * class file and the source checkpoint in the metadata.
 */
export function exportRun(target: string, mode: 'onehot' | 'plain' = 'onehot'): RunExport {
    const { runDir, checkpointDir } = locateCheckpoint(target);
    const store = new CheckpointStore(runDir, 1);
    const { meta, state } = store.load(checkpointDir);
    const optionsFile = path.join(runDir, 'options.json');
    const options = meta.options ?? readJson<RunOptions>(optionsFile);
    if (!options?.generator || !options.dataset) {
        throw new Error(
            `${path.join(checkpointDir, 'state.json')}: holds no options and ${optionsFile} is ` +
                'missing or unreadable; the network cannot be rebuilt. Resume the run once ' +
                '(`spade train options.json --resume`) to write them',
        );
    }
    const g = state.groups.G;
    if (g === undefined) {
        throw new Error(
            `${checkpointDir}: has no generator weights (G.safetensors); the checkpoint is incomplete`,
        );
    }
    const gState: StateDict = new Map(Object.entries(g));
    const e = state.groups.E;
    if (options.generator.useVae && e === undefined) {
        throw new Error(
            `${checkpointDir}: the run uses a style encoder but the checkpoint has no E.safetensors`,
        );
    }
    let encoder: ExportedEncoder | undefined;
    let encoderProblem: string | undefined;
    if (options.generator.useVae && e !== undefined) {
        // The generator is useful without its encoder (styles from seeds), so an encoder that
        // cannot be exported is reported, not fatal.
        try {
            encoder = exportEncoder(foldSpectralState(new Map(Object.entries(e))), {
                norm: options.encoder.norm,
                ngf: options.generator.ngf,
                cropSize: options.dataset.cropSize,
                zDim: options.generator.zDim,
            });
        } catch (err) {
            encoderProblem = `no usable style encoder (${checkpointDir}: ${(err as Error).message})`;
        }
    }
    let exported;
    try {
        exported = exportGenerator(foldSpectralState(gState), options.generator, options.dataset, {
            mode,
        });
    } catch (e) {
        throw new Error(`${checkpointDir}: cannot export the generator: ${(e as Error).message}`, {
            cause: e,
        });
    }
    const classes = runClasses(options);
    const source: ModelSource = {
        run: path.basename(runDir),
        step: meta.step,
        checkpoint: path.relative(runDir, checkpointDir).split(path.sep).join('/'),
    };
    const extra: Record<string, string> = { [SOURCE_KEY]: JSON.stringify(source) };
    // The class file by its name only, for the same reason; built-in palettes keep their label.
    if (classes) {
        const shared =
            classes.source === options.dataset.classFile
                ? { ...classes, source: path.basename(classes.source) }
                : classes;
        extra[CLASSES_KEY] = JSON.stringify(shared);
    }
    return {
        bytes: withMetadata(exported.bytes, extra),
        info: exported.info,
        runDir,
        checkpointDir,
        step: meta.step,
        options,
        classes,
        ...(encoder ? { encoder: { ...encoder, bytes: withMetadata(encoder.bytes, extra) } } : {}),
        ...(encoderProblem ? { encoderProblem } : {}),
    };
}

/** A model ready for a session: its bytes, where it came from, its classes if known. */
export interface ResolvedModel {
    bytes: Uint8Array;
    /** The file or folder named, for messages. */
    where: string;
    kind: 'default' | 'onnx' | 'run';
    classes?: ModelClasses;
    /** The style encoder's bytes and where they came from, when the model has one. */
    encoder?: { bytes: Uint8Array; where: string };
    /** Why a model with a z input has no encoder ("<model> has …"), for style requests. */
    encoderProblem?: string;
}

/**
 * Resolves `--model`: undefined means the embedded default; an .onnx file is read (with its
 * `.encoder.onnx` beside it, when there is one); a run folder or checkpoint is exported in
 * memory. Classes come from the model's metadata, else a classes.json beside the .onnx file.
 */
export function resolveModel(spec: string | undefined, cwd: string): ResolvedModel {
    const file = spec === undefined ? defaultModelPath() : path.resolve(cwd, spec);
    if (spec === undefined && !fs.existsSync(file)) {
        throw new Error(missingDefaultModelMessage(file));
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
        const r = exportRun(file);
        return {
            bytes: r.bytes,
            where: file,
            kind: 'run',
            classes: r.classes,
            ...(r.encoder ? { encoder: { bytes: r.encoder.bytes, where: file } } : {}),
            encoderProblem: r.encoderProblem,
        };
    }
    let bytes: Uint8Array;
    try {
        bytes = fs.readFileSync(file);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new Error(
            `${file}: cannot read the model (${code === 'ENOENT' ? 'no such file' : code}); ` +
                'pass an exported .onnx file, a run folder or a checkpoint folder',
            { cause: e },
        );
    }
    let classes = readMetadata<ModelClasses>(bytes, CLASSES_KEY);
    const beside = path.join(path.dirname(file), 'classes.json');
    if (classes === undefined && fs.existsSync(beside)) {
        const c = readClassFile(beside);
        classes = { names: c.names, palette: c.palette?.entries, source: beside };
    }
    const encoderFile = encoderPathFor(file);
    const hasEncoder = fs.existsSync(encoderFile);
    return {
        bytes,
        where: file,
        kind: spec === undefined ? 'default' : 'onnx',
        classes,
        ...(hasEncoder
            ? { encoder: { bytes: fs.readFileSync(encoderFile), where: encoderFile } }
            : {}),
        encoderProblem: hasEncoder
            ? undefined
            : `no style encoder beside it (${path.basename(encoderFile)}); export the run ` +
              'again with `spade export` to write one',
    };
}

/** A model's classes as a palette for RGB masks. */
export function classPalette(c: ModelClasses | undefined): Palette | undefined {
    return c?.palette ? { source: c.source, entries: c.palette } : undefined;
}
