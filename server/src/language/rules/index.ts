/** The registered checker rules; a new rule is one file plus one line here. */
import type { Rule } from '../checker';
import { cropGeometry } from './crop-geometry';
import { duplicates } from './duplicates';
import { labelChannels } from './label-channels';
import { layersOutput } from './layers-output';
import { loadCrop } from './load-crop';
import { noEffect } from './no-effect';
import { references } from './references';
import { required } from './required';
import { schedule } from './schedule';
import { styleCrop } from './style-crop';
import { syncBatch } from './sync-batch';
import { unknownNames } from './unknown-names';
import { valueTypes } from './value-types';

export const RULES: readonly Rule[] = [
    unknownNames,
    duplicates,
    required,
    valueTypes,
    references,
    cropGeometry,
    labelChannels,
    noEffect,
    layersOutput,
    loadCrop,
    syncBatch,
    schedule,
    styleCrop,
];
