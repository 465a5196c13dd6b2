/**
 * The YAML twin of a config for the editor benchmark: the same content as YAML, and a JSON
 * schema generated from the property registry, so yaml-language-server does the same work.
 */
import type { BlockNode, ValueNode } from '../../server/src/language/ast';
import { parse } from '../../server/src/language/parser';
import {
    TOP_LEVEL_BLOCKS,
    type BlockSpec,
    type PropertySpec,
} from '../../server/src/language/registry';

function schemaOf(spec: BlockSpec): object {
    const props: Record<string, object> = {};
    for (const p of spec.properties) props[p.name] = propSchema(p);
    for (const b of spec.blocks) {
        if (b.kind === 'layers')
            props.layers = {
                type: 'array',
                items: {
                    type: 'object',
                    oneOf: b.blocks.map((e) => ({
                        type: 'object',
                        properties: { [e.kind]: schemaOf(e) },
                        additionalProperties: false,
                    })),
                },
            };
        else props[b.kind] = schemaOf(b);
    }
    return {
        type: 'object',
        description: spec.doc,
        properties: props,
        additionalProperties: false,
    };
}

function propSchema(p: PropertySpec): object {
    const t = p.type;
    const base = { description: p.doc, ...(p.default !== undefined ? { default: p.default } : {}) };
    switch (t.kind) {
        case 'int':
            return {
                ...base,
                type: 'integer',
                ...(t.oneOf ? { enum: t.oneOf } : { minimum: t.min, maximum: t.max }),
            };
        case 'float':
            return { ...base, type: 'number', minimum: t.min, maximum: t.max };
        case 'bool':
            return { ...base, type: 'boolean' };
        case 'enum':
            return { ...base, enum: t.values };
        default:
            return { ...base, type: 'string' };
    }
}

/** A JSON schema of the whole language, from the registry. */
export function jsonSchema(): object {
    const properties: Record<string, object> = {};
    for (const b of TOP_LEVEL_BLOCKS)
        properties[b.kind] = { type: 'object', additionalProperties: schemaOf(b) };
    return {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties,
        additionalProperties: false,
    };
}

function yamlValue(v: ValueNode, text: string): string {
    if (v.kind === 'string') return JSON.stringify(v.value);
    if (v.kind === 'list') return `[${v.items.map((i) => yamlValue(i, text)).join(', ')}]`;
    if (v.kind === 'name' && (v.text === 'on' || v.text === 'off'))
        return v.text === 'on' ? 'true' : 'false';
    return text.slice(v.start, v.end);
}

/** The config as YAML: `kind: { name: { key: value, nested: {...}, layers: [...] } }`. */
export function toYaml(text: string): string {
    const file = parse(text);
    const out: string[] = [];
    const body = (b: BlockNode, indent: string): void => {
        for (const m of b.members) {
            if (m.kind === 'property')
                out.push(`${indent}${m.key.text}: ${yamlValue(m.value, text)}`);
            else if (m.keyword.text === 'layers') {
                out.push(`${indent}layers:`);
                for (const e of m.members) {
                    if (e.kind !== 'block') continue;
                    out.push(`${indent}  - ${e.keyword.text}:`);
                    body(e, `${indent}      `);
                }
            } else {
                out.push(`${indent}${m.keyword.text}:`);
                body(m, `${indent}  `);
            }
        }
    };
    for (const kind of TOP_LEVEL_BLOCKS.map((b) => b.kind)) {
        out.push(`${kind}:`);
        for (const b of file.blocks.filter((x) => x.keyword.text === kind)) {
            out.push(`  ${b.name?.text ?? 'unnamed'}:`);
            body(b, '    ');
        }
    }
    return out.join('\n') + '\n';
}
