/**
 * A dataset block's effective options as the data pipeline takes them, with paths made
 * absolute against the config's folder, and where in the text each finding should point.
 */
import * as path from 'node:path';
import type { DatasetMode, DatasetOptions, PreprocessMode } from '../engine/options';
import type { BlockNode } from '../language/ast';
import { Settings, spec } from '../language/model';
import type { Span } from '../language/text';

/** A dataset block resolved for checking. */
export interface CheckTarget {
    name: string;
    options: DatasetOptions;
    /** Stable key of the options: a check result is reused while the key is unchanged. */
    key: string;
}

/** The dataset options of a dataset block; relative paths are against `configDir`. */
export function datasetTarget(block: BlockNode, configDir: string): CheckTarget | undefined {
    if (!block.name) return undefined;
    const mode = new Settings(block, spec('dataset')).str('mode') as DatasetMode;
    const d = new Settings(block, spec('dataset'), mode);
    const pre = d.child('preprocess');
    const abs = (v: unknown): string | undefined =>
        typeof v === 'string' ? path.resolve(configDir, v) : undefined;
    const options: DatasetOptions = {
        mode,
        root: abs(d.get('root').value) ?? configDir,
        labelDir: abs(d.get('label_dir').value),
        imageDir: abs(d.get('image_dir').value),
        instanceDir: abs(d.get('instance_dir').value),
        labelNc: d.num('classes'),
        containDontcare: d.bool('dontcare'),
        useInstance: d.bool('instances'),
        preprocess: pre.str('mode') as PreprocessMode,
        loadSize: pre.num('load'),
        cropSize: pre.num('crop'),
        aspectRatio: pre.num('aspect'),
        flip: pre.bool('flip'),
        classFile: abs(d.get('class_file').value),
        maxDatasetSize: d.get('max_size').value as number | undefined,
        onBadSample: 'stop',
        phase: 'train',
        noPortraits: !d.bool('portraits'),
    };
    return { name: block.name.text, options, key: JSON.stringify(options) };
}

/** Where findings about one aspect of the dataset point in the config text. */
export type Anchor =
    | 'name'
    | 'folders'
    | 'labelFolder'
    | 'imageFolder'
    | 'instanceFolder'
    | 'classes'
    | 'dontcare'
    | 'classFile'
    | 'size';

/** The span a finding points at: the property it concerns when written, else the name. */
export function anchorSpan(block: BlockNode, anchor: Anchor): Span {
    const d = new Settings(block, spec('dataset'));
    const pre = d.child('preprocess');
    const name: Span = block.name ?? block.keyword;
    const first = (...ps: Array<{ value: Span } | undefined>): Span =>
        ps.find((p) => p !== undefined)?.value ?? name;
    switch (anchor) {
        case 'folders':
            return first(
                d.written('label_dir'),
                d.written('image_dir'),
                d.written('instance_dir'),
                d.written('root'),
            );
        case 'labelFolder':
            return first(d.written('label_dir'), d.written('root'));
        case 'imageFolder':
            return first(d.written('image_dir'), d.written('root'));
        case 'instanceFolder':
            return first(d.written('instance_dir'), d.written('root'));
        case 'classes':
            return first(d.written('classes'));
        case 'dontcare':
            return first(d.written('dontcare'));
        case 'classFile':
            return first(d.written('class_file'));
        case 'size':
            return first(pre.written('crop'), pre.written('load'));
        default:
            return name;
    }
}
