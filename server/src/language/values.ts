/**
 * Reading a syntax value as a registry type. Shared by the type rule (which reports the
 * problem) and the resolver (which only takes values that read cleanly).
 */
import type { ValueNode } from './ast';
import { FALSE_WORDS, TRUE_WORDS } from './keywords';
import type { Scalar, ValueType } from './registry-types';

/** The outcome of reading a value: the value, or what is wrong with it in words. */
export type ReadResult =
    | { ok: true; value: Scalar }
    | { ok: false; problem: 'type' | 'range' | 'enum'; expected: string };

/** The type in words for messages, e.g. "a whole number". */
export function describeType(t: ValueType): string {
    switch (t.kind) {
        case 'int':
            return t.oneOf ? `one of ${t.oneOf.join(', ')}` : 'a whole number';
        case 'float':
            return 'a number';
        case 'bool':
            return 'on or off (true or false)';
        case 'enum':
            return `one of ${t.values.join(', ')}`;
        case 'string':
            return 'a quoted string';
        case 'path':
            return 'a quoted path';
        case 'ref':
            return `the name of a ${t.target} block`;
        case 'word':
            return 'a word';
    }
}

/** The numeric range in words (e.g. ">= 1 and <= 4096"), or empty. */
export function rangeText(t: ValueType): string {
    if (t.kind !== 'int' && t.kind !== 'float') return '';
    const lo =
        t.min === undefined ? '' : `${t.kind === 'float' && t.minExclusive ? '>' : '>='} ${t.min}`;
    const hi = t.max === undefined ? '' : `<= ${t.max}`;
    return [lo, hi].filter((s) => s).join(' and ');
}

/** Reads a value as a type: the value, or the problem and what was expected. */
export function readValue(v: ValueNode, t: ValueType): ReadResult {
    const bad = (problem: 'type' | 'range' | 'enum', expected = describeType(t)): ReadResult => ({
        ok: false,
        problem,
        expected,
    });
    switch (t.kind) {
        case 'int':
        case 'float': {
            if (v.kind !== 'number' || Number.isNaN(v.value)) return bad('type');
            if (t.kind === 'int' && !Number.isInteger(v.value)) return bad('type');
            if (t.kind === 'int' && t.oneOf && !t.oneOf.includes(v.value)) return bad('enum');
            const below =
                t.min !== undefined &&
                (v.value < t.min ||
                    (t.kind === 'float' && t.minExclusive === true && v.value === t.min));
            const above = t.max !== undefined && v.value > t.max;
            if (below || above) return bad('range', rangeText(t));
            return { ok: true, value: v.value };
        }
        case 'bool':
            if (v.kind !== 'name') return bad('type');
            if ((TRUE_WORDS as readonly string[]).includes(v.text))
                return { ok: true, value: true };
            if ((FALSE_WORDS as readonly string[]).includes(v.text))
                return { ok: true, value: false };
            return bad('type');
        case 'enum':
            if (v.kind === 'string' && t.values.includes(v.value))
                return bad('type', `${v.value} without quotes`);
            if (v.kind !== 'name') return bad('type');
            return t.values.includes(v.text) ? { ok: true, value: v.text } : bad('enum');
        case 'string':
        case 'path':
            return v.kind === 'string' ? { ok: true, value: v.value } : bad('type');
        case 'ref':
        case 'word':
            return v.kind === 'name' ? { ok: true, value: v.text } : bad('type');
    }
}
