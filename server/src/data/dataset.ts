/**
 * Dataset modes: where each mode finds labels, images and instance maps, how it pairs them,
 * and the id shifts it applies. Pairing is by file stem (Cityscapes: the first three `_`
 * fields), and instead of the reference's assertion on the first mismatch, every missing and
 * extra name is reported and the complete triples are kept. Indexing is one job (see
 * dataset-listing.ts) run either blocking (loader, trainer) or without blocking (the editor).
 */
import * as path from 'node:path';
import type { DatasetOptions } from '../engine/options';
import {
    exists,
    listImages,
    pacer,
    PAUSE,
    runAsync,
    runSync,
    type Job,
    type StopSignal,
} from './dataset-listing';
import { issue } from './issues';
import type { DataIssue } from './issues';

export { IMAGE_EXTENSIONS, naturalCompare } from './dataset-listing';

/** One complete sample's files. */
export interface DatasetEntry {
    /** The pairing key (stem). */
    key: string;
    label: string;
    image: string;
    instance?: string;
}

/** The result of indexing a dataset. */
export interface DatasetIndex {
    entries: DatasetEntry[];
    /** Labels whose image (or instance map) is missing, images without a label. */
    missingImages: string[];
    missingInstances: string[];
    extraImages: string[];
    extraInstances: string[];
    /** One summary issue per kind of problem (with up to 10 names in the message). */
    issues: DataIssue[];
    folders: { label: string; image: string; instance?: string };
}

function stem(p: string): string {
    return path.basename(p, path.extname(p));
}

/** The pairing key of a file for a mode. */
export function pairingKey(mode: DatasetOptions['mode'], file: string): string {
    if (mode === 'cityscapes') return path.basename(file).split('_').slice(0, 3).join('_');
    return stem(file);
}

/** The phase folder name the reference reads ('test' reads the validation split). */
function phaseName(o: DatasetOptions): string {
    return (o.phase ?? 'train') === 'test' ? 'val' : 'train';
}

/**
 * The folders a dataset reads, by mode: what indexing lists and what a job checks exists
 * before it creates its run folder.
 */
export function datasetFolders(o: DatasetOptions): DatasetIndex['folders'] {
    const phase = phaseName(o);
    const root = o.root;
    const inst = o.useInstance;
    switch (o.mode) {
        case 'coco':
            return {
                label: path.join(root, `${phase}_label`),
                image: path.join(root, `${phase}_img`),
                instance: inst ? path.join(root, `${phase}_inst`) : undefined,
            };
        case 'ade20k':
            return { label: root, image: root };
        case 'cityscapes': {
            const labelDir = path.join(root, 'gtFine', phase);
            return {
                label: labelDir,
                image: path.join(root, 'leftImg8bit', phase),
                instance: inst ? labelDir : undefined,
            };
        }
        case 'facades':
            return {
                label: path.join(root, `${phase}_label`),
                image: path.join(root, `${phase}_img`),
            };
        default:
            return {
                label: o.labelDir ?? path.join(root, 'label'),
                image: o.imageDir ?? path.join(root, 'image'),
                instance: inst ? (o.instanceDir ?? path.join(root, 'instance')) : undefined,
            };
    }
}

interface Lists {
    labels: string[];
    images: string[];
    instances: string[];
    folders: DatasetIndex['folders'];
}

function* listsFor(o: DatasetOptions): Job<Lists> {
    const phase = phaseName(o);
    const root = o.root;
    const folders = datasetFolders(o);
    switch (o.mode) {
        case 'coco': {
            const dirs = [''];
            if (phase === 'train' && !o.noPortraits) dirs.push('_portrait');
            // Each folder in its own natural order, the portrait folder after the main one.
            function* pick(kind: string): Job<string[]> {
                let out: string[] = [];
                for (const s of dirs)
                    out = out.concat(
                        yield* listImages(path.join(root, `${phase}_${kind}${s}`), false),
                    );
                return out;
            }
            return {
                labels: yield* pick('label'),
                images: yield* pick('img'),
                instances: folders.instance ? yield* pick('inst') : [],
                folders,
            };
        }
        case 'ade20k': {
            const all = (yield* listImages(root, true)).filter((p) => p.includes(`_${phase}_`));
            return {
                labels: all.filter((p) => p.endsWith('.png')),
                images: all.filter((p) => p.endsWith('.jpg')),
                instances: [],
                folders,
            };
        }
        case 'cityscapes': {
            const all = yield* listImages(folders.label, true);
            return {
                labels: all.filter((p) => p.endsWith('_labelIds.png')),
                images: yield* listImages(folders.image, true),
                instances: folders.instance
                    ? all.filter((p) => p.endsWith('_instanceIds.png'))
                    : [],
                folders,
            };
        }
        default:
            return {
                labels: yield* listImages(folders.label, false),
                images: yield* listImages(folders.image, false),
                instances: folders.instance ? yield* listImages(folders.instance, false) : [],
                folders,
            };
    }
}

function names(list: string[]): string {
    const shown = list.slice(0, 10).map((p) => path.basename(p));
    return shown.join(', ') + (list.length > 10 ? ` and ${list.length - 10} more` : '');
}

/** Lists and pairs a dataset's files; never throws for missing folders (they are issues). */
export function indexDataset(o: DatasetOptions): DatasetIndex {
    return runSync(indexJob(o));
}

/**
 * The same index as indexDataset, without blocking the event loop (for the language server);
 * undefined when stopped, which also stops the listing.
 */
export function indexDatasetAsync(
    o: DatasetOptions,
    stop: StopSignal,
): Promise<DatasetIndex | undefined> {
    return runAsync(indexJob(o), stop);
}

/** Files by pairing key, the first (in natural order) winning. */
function* byKey(mode: DatasetOptions['mode'], files: string[]): Job<Map<string, string>> {
    const due = pacer();
    const m = new Map<string, string>();
    for (const f of files) {
        if (due()) yield PAUSE;
        const k = pairingKey(mode, f);
        if (!m.has(k)) m.set(k, f);
    }
    return m;
}

function* indexJob(o: DatasetOptions): Job<DatasetIndex> {
    const lists = yield* listsFor(o);
    const issues: DataIssue[] = [];
    const { folders } = lists;
    for (const [what, dir] of Object.entries(folders)) {
        if (dir && !(yield* exists(dir))) {
            issues.push(
                issue(
                    'error',
                    'folder-missing',
                    dir,
                    `the ${what} folder does not exist.`,
                    o.mode === 'custom'
                        ? `Check the ${what}_dir path in the config, or create the folder ` +
                              '(for the procedural landscapes: spade make-scenes).'
                        : `Dataset mode ${o.mode} expects it; check root (${o.root}).`,
                ),
            );
        }
    }
    const images = yield* byKey(o.mode, lists.images);
    const instances = yield* byKey(o.mode, lists.instances);
    const usedImages = new Set<string>();
    const usedInstances = new Set<string>();
    const entries: DatasetEntry[] = [];
    const missingImages: string[] = [];
    const missingInstances: string[] = [];
    const due = pacer();
    for (const label of lists.labels) {
        if (due()) yield PAUSE;
        const key = pairingKey(o.mode, label);
        const image = images.get(key);
        const instance = o.useInstance ? instances.get(key) : undefined;
        if (image) usedImages.add(key);
        if (instance) usedInstances.add(key);
        if (!image) missingImages.push(label);
        if (o.useInstance && !instance) missingInstances.push(label);
        if (!image || (o.useInstance && !instance)) continue;
        entries.push(instance ? { key, label, image, instance } : { key, label, image });
    }
    const extraImages = [...images].filter(([k]) => !usedImages.has(k)).map(([, f]) => f);
    const extraInstances = [...instances].filter(([k]) => !usedInstances.has(k)).map(([, f]) => f);
    const report = (list: string[], code: DataIssue['code'], dir: string, what: string) => {
        if (list.length === 0) return;
        const sev = code.startsWith('extra') ? 'warning' : 'error';
        issues.push(
            issue(sev, code, dir, `${list.length} ${what}: ${names(list)}.`, undefined, {
                files: list,
            }),
        );
    };
    report(
        missingImages,
        'missing-image',
        folders.image,
        'label(s) have no image with the same name',
    );
    report(
        missingInstances,
        'missing-instance',
        folders.instance ?? folders.label,
        'label(s) have no instance map with the same name',
    );
    report(extraImages, 'extra-image', folders.image, 'image(s) have no label and are not used');
    report(
        extraInstances,
        'extra-instance',
        folders.instance ?? folders.label,
        'instance map(s) have no label and are not used',
    );
    const max = o.maxDatasetSize ?? Infinity;
    const kept = entries.slice(0, max);
    if (kept.length === 0) {
        issues.push(
            issue(
                'error',
                'empty-dataset',
                folders.label,
                'no complete sample (label + image' +
                    (o.useInstance ? ' + instance' : '') +
                    ') was found.',
                'Check the dataset root, mode and folder names.',
            ),
        );
    }
    return {
        entries: kept,
        missingImages,
        missingInstances,
        extraImages,
        extraInstances,
        issues,
        folders,
    };
}
