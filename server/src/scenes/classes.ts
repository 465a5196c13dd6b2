/**
 * The scene classes and the class file (`classes.json`) that describes any label set:
 * names and display colours by id. The data pipeline, the preview legend and the evaluation
 * read class files through `parseClassFile`; the schema is documented in docs/scenes.md.
 */

/** An sRGB colour, each channel 0..255. */
export type Rgb = [number, number, number];

/** Class ids of the generated scenes, equal to the pixel values in their label maps. */
export const SceneClass = {
    sky: 0,
    clouds: 1,
    mountains: 2,
    water: 3,
    sand: 4,
    grass: 5,
    trees: 6,
    rock: 7,
    snow: 8,
} as const;

export type SceneClassName = keyof typeof SceneClass;

/** Names and display colours of the scene classes, in id order. */
export const SCENE_CLASSES: readonly { name: SceneClassName; color: Rgb }[] = [
    { name: 'sky', color: [140, 190, 240] },
    { name: 'clouds', color: [215, 215, 228] },
    { name: 'mountains', color: [112, 108, 140] },
    { name: 'water', color: [50, 115, 175] },
    { name: 'sand', color: [220, 190, 130] },
    { name: 'grass', color: [85, 155, 50] },
    { name: 'trees', color: [30, 85, 40] },
    { name: 'rock', color: [135, 118, 100] },
    { name: 'snow', color: [250, 250, 255] },
];

/** A parsed class file: one entry per class id, plus the optional dontcare value. */
export interface ClassFile {
    /** Number of classes; ids run 0..numClasses-1. */
    numClasses: number;
    /** Class names by id. */
    names: string[];
    /** Display colours by id (also the colours of RGB colour masks). */
    colors: Rgb[];
    /**
     * The label value meaning "not labelled" (usually 255) and its display name, when the
     * label set has one. Absent when every pixel carries a class.
     */
    dontcare?: { pngValue: number; name: string; color: Rgb };
    /** Free text kept for people reading the file. */
    description?: string;
}

/** The class file of the generated scenes. */
export function sceneClassFile(): ClassFile {
    return {
        numClasses: SCENE_CLASSES.length,
        names: SCENE_CLASSES.map((c) => c.name),
        colors: SCENE_CLASSES.map((c) => [...c.color] as Rgb),
        description:
            'Procedural landscape scenes made by `spade make-scenes`. Class id = pixel value in ' +
            'the label maps; every pixel carries a class, so there is no dontcare value.',
    };
}

/** The JSON text of a class file, in the on-disk (snake_case) schema. */
export function formatClassFile(file: ClassFile): string {
    const json: Record<string, unknown> = {};
    if (file.description !== undefined) json.description = file.description;
    json.num_classes = file.numClasses;
    json.names = file.names;
    json.colors = file.colors;
    if (file.dontcare) {
        json.dontcare = {
            png_value: file.dontcare.pngValue,
            name: file.dontcare.name,
            color: file.dontcare.color,
        };
    }
    // One colour per line keeps the file readable and diffable.
    return (
        JSON.stringify(json, null, 2).replace(
            /\[\s+(\d+),\s+(\d+),\s+(\d+)\s+\]/g,
            '[$1, $2, $3]',
        ) + '\n'
    );
}

/** A class file that could not be used: `where` is the JSON path of the problem. */
export class ClassFileError extends Error {
    constructor(
        readonly file: string,
        readonly where: string,
        problem: string,
    ) {
        super(`${file}: ${where}: ${problem}`);
        this.name = 'ClassFileError';
    }
}

/** Reads `[r, g, b]` or `"#rrggbb"`; undefined for anything else. */
function toRgb(v: unknown): Rgb | undefined {
    if (typeof v === 'string' && /^#[0-9a-fA-F]{6}$/.test(v)) {
        const n = parseInt(v.slice(1), 16);
        return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    }
    return isRgb(v) ? [v[0], v[1], v[2]] : undefined;
}

function isRgb(v: unknown): v is Rgb {
    return (
        Array.isArray(v) &&
        v.length === 3 &&
        v.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 0 && c <= 255)
    );
}

/**
 * Reads class-file JSON text. `colors` (or `colours`) may be absent (a names-only file such as the COCO-Stuff
 * one); then colours are derived from the id so every class still gets a distinct one.
 * Throws `ClassFileError` naming the file, the field and what to change.
 */
export function parseClassFile(text: string, file = 'classes.json'): ClassFile {
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (e) {
        throw new ClassFileError(file, '(file)', `not valid JSON (${(e as Error).message})`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new ClassFileError(file, '(file)', 'expected a JSON object with "names"');
    }
    const obj = raw as Record<string, unknown>;
    const names = obj.names;
    if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string')) {
        throw new ClassFileError(file, 'names', 'expected a non-empty array of class names');
    }
    const numClasses = obj.num_classes ?? names.length;
    if (numClasses !== names.length) {
        throw new ClassFileError(
            file,
            'num_classes',
            `is ${JSON.stringify(numClasses)} but "names" has ${names.length} entries; make them agree`,
        );
    }
    let colors: Rgb[];
    const given = obj.colors ?? obj.colours;
    if (given === undefined) {
        colors = names.map((_n, i) => fallbackColor(i));
    } else {
        if (!Array.isArray(given) || given.length !== names.length) {
            throw new ClassFileError(
                file,
                'colors',
                `expected ${names.length} [r, g, b] entries, one per name`,
            );
        }
        colors = given.map((c: unknown, i) => {
            const rgb = toRgb(c);
            if (!rgb) {
                throw new ClassFileError(
                    file,
                    `colors[${i}]`,
                    `expected [r, g, b] integers 0..255 or "#rrggbb", got ${JSON.stringify(c)}`,
                );
            }
            return rgb;
        });
    }
    const result: ClassFile = { numClasses: names.length, names, colors };
    if (typeof obj.description === 'string') result.description = obj.description;
    const dc = obj.dontcare;
    if (dc !== undefined && dc !== null) {
        const d = dc as Record<string, unknown>;
        const value = d.png_value;
        if (typeof value !== 'number' || !Number.isInteger(value) || value < names.length) {
            throw new ClassFileError(
                file,
                'dontcare.png_value',
                `expected an integer at or above the class count ${names.length}, e.g. 255`,
            );
        }
        result.dontcare = {
            pngValue: value,
            name: typeof d.name === 'string' ? d.name : 'unlabeled',
            color: toRgb(d.color) ?? [0, 0, 0],
        };
    }
    return result;
}

/** A stable, well-spread colour for class i (the bit-reversal palette used by many datasets). */
export function fallbackColor(i: number): Rgb {
    let r = 0;
    let g = 0;
    let b = 0;
    let id = i + 1;
    for (let bit = 7; bit >= 0 && id > 0; bit--) {
        r |= (id & 1) << bit;
        g |= ((id >> 1) & 1) << bit;
        b |= ((id >> 2) & 1) << bit;
        id >>= 3;
    }
    return [r, g, b];
}

/**
 * A label map in its class colours (interleaved RGB). Ids without a class get the dontcare
 * colour when they are the dontcare value, else black.
 */
export function colorizeLabels(label: ArrayLike<number>, file: ClassFile): Uint8Array {
    const out = new Uint8Array(label.length * 3);
    for (let p = 0; p < label.length; p++) {
        const id = label[p];
        const c =
            id < file.numClasses
                ? file.colors[id]
                : id === file.dontcare?.pngValue
                  ? file.dontcare.color
                  : undefined;
        if (c) out.set(c, p * 3);
    }
    return out;
}
