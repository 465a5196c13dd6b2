/** docs/language.md is exactly what the registry generates, and it covers every property. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATALOG } from '../../server/src/language/catalog';
import { renderReference } from '../../server/src/language/reference-doc';
import { allProperties } from '../../server/src/language/registry';
import { repoRoot } from '../support/shared';

describe('language reference', () => {
    const committed = fs.readFileSync(path.join(repoRoot, 'docs', 'language.md'), 'utf8');

    it('is up to date with the registry (regenerate with npx tsx scripts/gen-language-docs.ts)', () => {
        assert.equal(committed, renderReference());
    });

    it('documents every property with its type, default and meaning', () => {
        for (const { path: p, property } of allProperties()) {
            const row = committed
                .split('\n')
                .find(
                    (l) =>
                        l.startsWith(`| \`${property.name}\` |`) &&
                        l.includes(property.doc.replace(/\|/g, '\\|')),
                );
            assert.ok(row, `no row for ${p.join('.')}.${property.name}`);
            assert.ok(
                property.required ||
                    property.default !== undefined ||
                    property.defaultText !== undefined ||
                    row.includes('unset'),
                `${property.name}: no default`,
            );
        }
    });

    it('lists every diagnostic code once', () => {
        const codes = Object.values(CATALOG).map((e) => e.code);
        assert.equal(new Set(codes).size, codes.length, 'a code is used twice');
        for (const c of codes)
            assert.ok(committed.includes(`| ${c} |`), `${c} missing from the docs`);
    });

    it('gives each property a doc sentence and each mode default a known mode', () => {
        for (const { property } of allProperties()) {
            assert.match(property.doc, /\.$/, `${property.name}: doc must be a sentence`);
            for (const m of Object.keys(property.modeDefaults ?? {}))
                assert.ok(['coco', 'ade20k', 'cityscapes', 'custom', 'facades'].includes(m));
        }
    });
});
