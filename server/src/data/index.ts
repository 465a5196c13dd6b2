/**
 * The data pipeline's public surface: dataset indexing, label-map reading/writing/inspection,
 * PIL-exact preprocessing, instance edges and the batch loader.
 */
export {
    indexDataset,
    indexDatasetAsync,
    naturalCompare,
    pairingKey,
    IMAGE_EXTENSIONS,
} from './dataset';
export type { DatasetEntry, DatasetIndex } from './dataset';
export { DataError } from './issues';
export type { DataIssue, DataIssueCode, DataIssueSeverity } from './issues';
export { orientIds, readLabelMap } from './label-file';
export type { LabelEncoding, LabelFormat, LabelMap, ReadLabelOptions } from './label-file';
export { histogram, inspectLabelFile } from './label-inspect';
export type { LabelInspection } from './label-inspect';
export { writeLabelMap } from './label-write';
export { DataLoader } from './loader';
export type { Batch, LoaderOptions, LoaderProgress } from './loader';
export {
    ade20kPalette,
    builtinPalette,
    cityscapesPalette,
    cocoPalette,
    interleavedColour,
    readClassFile,
} from './palettes';
export type { ClassFile, Palette } from './palettes';
export {
    drawParams,
    normaliseImage,
    outputSize,
    resizedSize,
    transformIds,
    transformImage,
} from './preprocess';
export type { SampleParams } from './preprocess';
export { resizeBicubic, resizeNearest } from './resample';
export type { IdMap, RasterU8 } from './resample';
export { checkLabelIds, loadSample, mapLabelIds, readImage } from './sample';
export type { Sample, SampleContext } from './sample';
export { instanceEdges, writeSemantics } from './semantics';
