/** The TextMate grammar agrees with the parser's keyword table and scopes sample lines sensibly. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LITERAL_KEYWORDS, TOP_LEVEL_KEYWORDS } from '../../server/src/language/keywords';
import { TOP_LEVEL_BLOCKS } from '../../server/src/language/registry';
import { repoRoot } from '../support/shared';

interface Pattern {
    match?: string;
    name?: string;
    patterns?: Pattern[];
}

const grammar = JSON.parse(
    fs.readFileSync(path.join(repoRoot, 'syntaxes', 'spade.tmLanguage.json'), 'utf8'),
) as {
    scopeName: string;
    repository: Record<string, Pattern>;
};

/** The words of the first `\b(a|b|c)` alternation in a pattern. */
function alternation(re: string): string[] {
    const m = /\\b\(([a-z_|]+)\)/.exec(re);
    assert.ok(m, `no keyword alternation in ${re}`);
    return m[1].split('|').sort();
}

describe('TextMate grammar', () => {
    it('highlights exactly the top-level block keywords of the parser', () => {
        assert.deepEqual(
            alternation(grammar.repository['block-header'].match!),
            [...TOP_LEVEL_KEYWORDS].sort(),
        );
    });

    it('highlights exactly the literal keywords of the parser', () => {
        const booleans = grammar.repository.values.patterns!.find((p) =>
            p.name?.startsWith('constant.language'),
        );
        assert.ok(booleans?.match);
        assert.deepEqual(alternation(booleans.match), [...LITERAL_KEYWORDS].sort());
    });

    it('has the scope package.json points at, and the registry has the same top-level kinds', () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
        assert.equal(pkg.contributes.grammars[0].scopeName, grammar.scopeName);
        assert.deepEqual(
            TOP_LEVEL_BLOCKS.map((b) => b.kind),
            [...TOP_LEVEL_KEYWORDS],
        );
    });

    it('treats a header as a block and `generator = g` as a property', () => {
        const header = new RegExp(grammar.repository['block-header'].match!);
        assert.ok(header.test('generator spade_g {'));
        assert.ok(!header.test('    generator = spade_g'));
        assert.ok(new RegExp(grammar.repository.property.match!).test('    generator = spade_g'));
    });

    it('language-configuration uses the comment markers the lexer accepts', () => {
        const conf = JSON.parse(
            fs.readFileSync(path.join(repoRoot, 'syntaxes', 'language-configuration.json'), 'utf8'),
        );
        assert.equal(conf.comments.lineComment, '//');
        assert.deepEqual(conf.comments.blockComment, ['/*', '*/']);
    });
});
