/**
 * Code-lens commands and the dataset-check request, shared by the server (which puts the
 * commands on lenses) and the client (which registers them). No Node or vscode imports.
 */

/**
 * Command ids the server's code lenses invoke, all registered by client/src/codelens, which
 * hands Train and Resume to the training feature's `spade.train` / `spade.resumeTraining`
 * and Preview to the mask preview's `spade.preview.open` (turning the JSON arguments into
 * what those take). Arguments are plain JSON: see each field.
 */
export const LENS_COMMANDS = {
    /** `[configUri: string, trainBlock: string]` */
    train: 'spade.lens.train',
    /** `[configUri: string, trainBlock: string]` */
    resume: 'spade.lens.resume',
    /** `[configUri: string, datasetBlock: string]` */
    checkData: 'spade.checkData',
    /** `[configUri: string, datasetBlock: string, labelFile?: string]` (an absolute path) */
    previewMask: 'spade.previewMask',
} as const;

/** `spade/checkDataset`: re-runs the dataset checks of one config now, ignoring the cache. */
export const CHECK_DATASET_REQUEST = 'spade/checkDataset';

/** Parameters of `spade/checkDataset`. */
export interface CheckDatasetParams {
    /** The config document (open in the editor). */
    uri: string;
    /** One dataset block; all of the config's datasets when absent. */
    dataset?: string;
}

/** One dataset's outcome, for the client's summary message. */
export interface CheckDatasetSummary {
    dataset: string;
    /** Complete samples found (label + image [+ instance]). */
    samples: number;
    /** Label maps actually opened (fewer than samples when the time budget ran out). */
    inspected: number;
    partial: boolean;
    errors: number;
    warnings: number;
    elapsedMs: number;
}

/** Result of `spade/checkDataset`; `message` is set when nothing could be checked. */
export interface CheckDatasetResult {
    summaries: CheckDatasetSummary[];
    message?: string;
}

/** Files whose changes re-run dataset checks (images, label maps, class files). */
export const DATASET_WATCH_GLOB = '**/*.{png,PNG,jpg,JPG,jpeg,JPEG,bmp,BMP,ppm,PPM,tiff,webp,json}';
