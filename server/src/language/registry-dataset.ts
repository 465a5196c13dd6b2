/** The `dataset` block: where the data lives and how it is read. */
import type { BlockSpec } from './registry-types';
import { DATASET_MODES } from './registry-types';

const PREPROCESS_DOCS = {
    resize_and_crop: 'resize to load x load, then crop a random crop x crop/aspect window',
    crop: 'crop a random window without resizing',
    scale_width: 'scale so the width is load, keeping the aspect ratio',
    scale_width_and_crop: 'scale the width to load, then crop',
    scale_shortside: 'scale so the short side is load',
    scale_shortside_and_crop: 'scale the short side to load, then crop',
    fixed: 'resize to exactly crop x round(crop / aspect)',
    none: 'keep the size, rounded to a multiple of 32',
} as const;

const preprocess: BlockSpec = {
    kind: 'preprocess',
    topLevel: false,
    doc: 'How images and label maps are resized, cropped and flipped while training.',
    blocks: [],
    properties: [
        {
            name: 'mode',
            type: { kind: 'enum', values: Object.keys(PREPROCESS_DOCS) },
            doc: 'Resize and crop scheme applied identically to image, label and instance map.',
            default: 'scale_width_and_crop',
            modeDefaults: {
                coco: 'resize_and_crop',
                ade20k: 'resize_and_crop',
                cityscapes: 'fixed',
                custom: 'resize_and_crop',
                facades: 'resize_and_crop',
            },
            reference: 'preprocess_mode',
            valueDocs: PREPROCESS_DOCS,
            note: 'scale_shortside* scales the short side to load, as the reference intends; the reference itself rescales the long side (NVlabs/SPADE#132).',
        },
        {
            name: 'load',
            type: { kind: 'int', min: 1, max: 16384 },
            doc: 'Size images are scaled to before cropping, in pixels.',
            default: 1024,
            modeDefaults: { coco: 286, ade20k: 286, cityscapes: 512, custom: 286, facades: 286 },
            reference: 'load_size',
        },
        {
            name: 'crop',
            type: { kind: 'int', min: 1, max: 16384 },
            doc: 'Width of the training crop, in pixels; also fixes the generator output width.',
            default: 512,
            modeDefaults: { coco: 256, ade20k: 256, cityscapes: 512, custom: 256, facades: 256 },
            reference: 'crop_size',
        },
        {
            name: 'aspect',
            type: { kind: 'float', min: 0, minExclusive: true, max: 16 },
            doc: 'Width divided by height of the crop; the generator output height is crop / aspect.',
            default: 1.0,
            modeDefaults: { cityscapes: 2.0 },
            reference: 'aspect_ratio',
        },
        {
            name: 'flip',
            type: { kind: 'bool' },
            doc: 'Flip image and label horizontally at random while training.',
            default: true,
            reference: 'no_flip (inverted)',
        },
    ],
};

export const DATASET: BlockSpec = {
    kind: 'dataset',
    topLevel: true,
    doc: 'A dataset: its layout (mode), where it lives, its label classes and how it is preprocessed. Train blocks refer to it by name.',
    blocks: [preprocess],
    properties: [
        {
            name: 'mode',
            type: { kind: 'enum', values: DATASET_MODES },
            doc: 'Folder layout and label conventions; each mode also changes other defaults.',
            default: 'coco',
            reference: 'dataset_mode',
            valueDocs: {
                coco: 'COCO-Stuff: {train,val}_label, _img, _inst; ids 0-181, 255 unlabeled',
                ade20k: 'ADE20K: files with _train_/_val_ in their path; 0 = unknown, shifted down by one',
                cityscapes: 'Cityscapes: gtFine/*_labelIds.png and leftImg8bit; 35 ids',
                custom: 'your own folders: label_dir, image_dir and optionally instance_dir',
                facades: 'CMP Facades: {phase}_label and {phase}_img; 13 ids',
            },
        },
        {
            name: 'root',
            type: { kind: 'path', expects: 'folder' },
            doc: 'Dataset root folder, relative to this config file.',
            default: './datasets/cityscapes/',
            modeDefaults: { facades: './dataset/facades/' },
            reference: 'dataroot',
        },
        {
            name: 'label_dir',
            type: { kind: 'path', expects: 'label-folder' },
            doc: 'custom mode: folder of label maps (one id per pixel), relative to this file.',
            reference: 'label_dir',
        },
        {
            name: 'image_dir',
            type: { kind: 'path', expects: 'image-folder' },
            doc: 'custom mode: folder of photos paired with the label maps by name.',
            reference: 'image_dir',
        },
        {
            name: 'instance_dir',
            type: { kind: 'path', expects: 'instance-folder' },
            doc: 'custom mode: folder of instance maps (integer object ids), paired by name.',
            reference: 'instance_dir',
        },
        {
            name: 'classes',
            type: { kind: 'int', min: 1, max: 65535 },
            doc: 'Number of label classes (ids 0 .. classes-1), not counting dontcare.',
            default: 182,
            modeDefaults: { ade20k: 150, cityscapes: 35, custom: 13, facades: 13 },
            reference: 'label_nc',
        },
        {
            name: 'dontcare',
            type: { kind: 'bool' },
            doc: 'Label value 255 means "unlabeled" and gets its own input channel (number classes).',
            default: false,
            modeDefaults: { coco: true, ade20k: true },
            reference: 'contain_dontcare_label',
        },
        {
            name: 'instances',
            type: { kind: 'bool' },
            doc: 'Read instance maps and feed their object boundaries to the generator as one more channel.',
            default: true,
            modeDefaults: { ade20k: false, custom: false, facades: false },
            reference: 'no_instance (inverted)',
            note: 'custom mode defaults to off here: the reference defaults to on and then fails without instance_dir.',
        },
        {
            name: 'class_file',
            type: { kind: 'path', expects: 'class-file' },
            doc: 'Optional file naming the classes and their colours, for RGB masks and previews.',
        },
        {
            name: 'max_size',
            type: { kind: 'int', min: 1 },
            doc: 'Use at most this many samples (all when unset).',
            reference: 'max_dataset_size',
        },
        {
            name: 'portraits',
            type: { kind: 'bool' },
            doc: 'coco mode: also train on the train_*_portrait folders when they exist.',
            default: true,
            reference: 'coco_no_portraits (inverted)',
        },
        {
            name: 'on_bad_sample',
            type: { kind: 'enum', values: ['skip', 'stop'] },
            doc: 'What training does with an unreadable or invalid sample.',
            default: 'stop',
            valueDocs: { skip: 'log it and continue', stop: 'stop with an error naming the file' },
        },
    ],
};
