/**
 * The dataset block's hover section: the class histogram found on disk by the background
 * dataset check. The hover provider appends it; it is undefined until a check has finished
 * (or for configs not saved on disk).
 */

/** What can answer for a config's dataset block (the server's DatasetChecks). */
export interface DatasetHoverSource {
    hoverSection(uri: string, dataset: string): string | undefined;
}

let source: DatasetHoverSource | undefined;

/** Set once by the server when the dataset checks are created. */
export function setDatasetHoverSource(s: DatasetHoverSource | undefined): void {
    source = s;
}

/**
 * Markdown with the classes found on disk (id, name, pixels, share, maps) for the dataset
 * block `blockName` of config `uri`; undefined when no check result exists yet.
 */
export function datasetHoverSection(uri: string, blockName: string): string | undefined {
    return source?.hoverSection(uri, blockName);
}
