/** Values of the wrong type, numbers out of range, and words not among the allowed values. */
import { allBlocks, valueText } from '../ast';
import { diag } from '../catalog';
import type { Rule } from '../checker';
import { propertySpec, specOfBlock } from '../registry';
import { didYouMean, suggest } from '../suggest';
import { readValue } from '../values';

export const valueTypes: Rule = {
    id: 'value-types',
    phase: 'values',
    run(ctx) {
        for (const block of allBlocks(ctx.model.file.blocks)) {
            const spec = specOfBlock(block);
            if (!spec) continue;
            for (const m of block.members) {
                if (m.kind !== 'property' || m.value.kind === 'missing') continue;
                const ps = propertySpec(spec, m.key.text);
                if (!ps) continue;
                const r = readValue(m.value, ps.type);
                if (r.ok) continue;
                const got = valueText(m.value);
                const t = ps.type;
                if (r.problem === 'range') {
                    ctx.report(
                        diag(
                            'outOfRange',
                            m.value,
                            `'${m.key.text}' is ${got}, but it must be ${r.expected}. Pick a value in range.`,
                        ),
                    );
                } else if (r.problem === 'enum') {
                    const options =
                        t.kind === 'enum'
                            ? t.values
                            : t.kind === 'int'
                              ? (t.oneOf ?? []).map(String)
                              : [];
                    const s = m.value.kind === 'name' ? suggest(m.value.text, options) : undefined;
                    ctx.report(
                        diag(
                            'notAllowed',
                            m.value,
                            `'${m.key.text}' cannot be ${got}; it is ${r.expected}.${didYouMean(s)}`,
                            {
                                data: { replacements: s ? [s] : [...options] },
                            },
                        ),
                    );
                } else {
                    const unquoted =
                        m.value.kind === 'string' &&
                        t.kind === 'enum' &&
                        t.values.includes(m.value.value);
                    const fix = unquoted
                        ? {
                              data: {
                                  replacements: [m.value.kind === 'string' ? m.value.value : ''],
                              },
                          }
                        : {};
                    ctx.report(
                        diag(
                            'wrongType',
                            m.value,
                            `'${m.key.text}' must be ${r.expected}, not ${got}.${unquoted ? ' Remove the quotes.' : ''}`,
                            fix,
                        ),
                    );
                }
            }
        }
    },
};
