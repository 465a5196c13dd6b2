/**
 * Hover: a block's or property's documentation, type and default, and a property's effective
 * value with where it came from ("35 (cityscapes)", "more (set here)", "64 (default)"). On a
 * value: what that enum value means, or which block a name refers to.
 */
import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver';
import type { BlockNode } from '../language/ast';
import { locate } from '../language/locate';
import { describeEffective, effective, modeFor, type ConfigModel } from '../language/model';
import { propertySpec, specOfBlock, type PropertySpec } from '../language/registry';
import { discriminatorSizes, generatorSizes } from '../language/network-dims';
import { formatCount, type Stage } from '../language/network-size';
import { rangeText } from '../language/values';
import type { AnalysisCache, DocumentSnapshot } from './analysis-cache';
import { propertyDoc } from './completion-provider';
import { datasetHoverSection } from './dataset-hover';

/** Computes the hover at a position; null when there is nothing to say. */
export interface HoverProvider {
    provide(doc: DocumentSnapshot, params: HoverParams): Hover | null;
}

/** Hover from the registry and the document's effective values. */
export class DefaultHoverProvider implements HoverProvider {
    constructor(private readonly cache: AnalysisCache) {}

    provide(doc: DocumentSnapshot, params: HoverParams): Hover | null {
        const { file, model } = this.cache.get(doc);
        const hit = locate(file, file.lines.offsetAt(params.position));
        const md = (value: string, span: { start: number; end: number }): Hover => ({
            contents: { kind: MarkupKind.Markdown, value },
            range: file.lines.rangeOf(span),
        });
        switch (hit.kind) {
            case 'block-keyword':
            case 'block-name': {
                const spec = specOfBlock(hit.block);
                if (!spec) return null;
                const title = hit.block.name
                    ? `${hit.block.keyword.text} \`${hit.block.name.text}\``
                    : `\`${hit.block.keyword.text}\``;
                const uses =
                    hit.block.parent === undefined
                        ? model.references.filter((r) => r.resolved === hit.block).length
                        : 0;
                const used = uses > 0 ? `\n\nUsed by ${uses} reference${uses > 1 ? 's' : ''}.` : '';
                // The dataset checks (#3, their own feature) add the class histogram found on disk.
                const classes =
                    hit.block.keyword.text === 'dataset' && hit.block.name
                        ? datasetHoverSection(doc.uri, hit.block.name.text)
                        : undefined;
                const extra = classes ? `\n\n${classes}` : '';
                const implied = impliedValues(model, hit.block);
                const stages = hit.block.parent ? '' : stageTable(model, hit.block);
                return md(
                    `**${title}**\n\n${spec.doc}${used}${implied}${stages}${extra}`,
                    hit.node,
                );
            }
            case 'key': {
                const block = hit.property.parent;
                const ps = block && propertyOf(block, hit.node.text);
                if (!block || !ps) return null;
                return md(propertyHover(model, block, ps), hit.node);
            }
            case 'value': {
                const block = hit.property.parent;
                const ps = block && propertyOf(block, hit.property.key.text);
                if (!block || !ps) return null;
                const ref = model.referenceOf.get(hit.property);
                if (ref && hit.node.kind === 'name') {
                    if (!ref.resolved)
                        return md(`No ${ref.target} block named \`${ref.name.text}\`.`, hit.node);
                    const props = ref.resolved.members
                        .filter((m) => m.kind === 'property')
                        .map((m) => file.text.slice(m.start, m.end))
                        .slice(0, 8);
                    const body = props.length ? `\n\n\`\`\`spade\n${props.join('\n')}\n\`\`\`` : '';
                    return md(`**${ref.target} \`${ref.name.text}\`**${body}`, hit.node);
                }
                if (hit.node.kind === 'name' && ps.valueDocs?.[hit.node.text])
                    return md(`\`${hit.node.text}\`: ${ps.valueDocs[hit.node.text]}`, hit.node);
                return md(propertyHover(model, block, ps), hit.node);
            }
            case 'none':
                return null;
        }
    }
}

/**
 * The values a block gets without writing them that differ from the registry default (a
 * dataset mode's), so "classes: 35 (cityscapes)" shows where nothing is written.
 */
function impliedValues(model: ConfigModel, block: BlockNode): string {
    const spec = specOfBlock(block);
    if (!spec) return '';
    const mode = modeFor(model, block);
    const rows = spec.properties
        .map((p) => ({ p, e: effective(block, spec, p.name, mode) }))
        .filter(({ e }) => e.origin.kind === 'mode')
        .map(({ p, e }) => `- \`${p.name}\`: ${describeEffective(e)}`);
    return rows.length ? `\n\nFrom the dataset mode:\n${rows.join('\n')}` : '';
}

/** The layers of a generator or discriminator with their output shapes and parameters. */
function stageTable(model: ConfigModel, block: BlockNode): string {
    const kind = block.keyword.text;
    let stages: Stage[];
    let totalLine: string;
    if (kind === 'generator') {
        const g = generatorSizes(model, block);
        stages = g.generator.stages;
        totalLine = `${g.generator.params.toLocaleString('en')} parameters${g.encoder ? `, plus ${g.encoder.params.toLocaleString('en')} in the style encoder` : ''}`;
    } else if (kind === 'discriminator') {
        const d = discriminatorSizes(model, block);
        stages = d.discriminator.stages;
        totalLine = `${d.discriminator.params.toLocaleString('en')} parameters over ${d.scales} scale(s); the layers of the first scale:`;
    } else {
        return '';
    }
    const rows = stages.map(
        (s) => `| ${s.name} | ${s.channels}×${s.height}×${s.width} | ${formatCount(s.params)} |`,
    );
    return `\n\n${totalLine}\n\n| layer | output | parameters |\n|---|---|---|\n${rows.join('\n')}`;
}

function propertyOf(block: BlockNode, name: string): PropertySpec | undefined {
    const spec = specOfBlock(block);
    return spec && propertySpec(spec, name);
}

/** The hover text of a property in a block: doc, type, defaults and the effective value. */
function propertyHover(model: ConfigModel, block: BlockNode, ps: PropertySpec): string {
    const spec = specOfBlock(block);
    const lines = [`**${ps.name}**`, propertyDoc(ps)];
    const range = rangeText(ps.type);
    if (range) lines.push(`Range: ${range}.`);
    if (ps.modeDefaults) {
        const byMode = Object.entries(ps.modeDefaults)
            .map(([m, v]) => `${String(v)} (${m})`)
            .join(', ');
        lines.push(`Dataset-mode defaults: ${byMode}.`);
    }
    if (ps.reference) lines.push(`Reference option: \`${ps.reference}\`.`);
    if (spec) {
        const e = effective(block, spec, ps.name, modeFor(model, block));
        lines.push(`**Effective:** ${describeEffective(e)}`);
    }
    return lines.join('\n\n');
}
