/**
 * The parser's keyword table. Top-level block kinds matter to parsing (an unclosed block ends
 * where the next top-level block starts); literals are words with a fixed meaning. The
 * TextMate grammar is tested against this table, and the registry's top-level kinds equal it.
 */
export const TOP_LEVEL_KEYWORDS = ['dataset', 'generator', 'discriminator', 'train'] as const;
/** A top-level block kind. */
export type TopLevelKind = (typeof TOP_LEVEL_KEYWORDS)[number];

/** Words that spell booleans. */
export const TRUE_WORDS = ['true', 'on'] as const;
export const FALSE_WORDS = ['false', 'off'] as const;
export const LITERAL_KEYWORDS = [...TRUE_WORDS, ...FALSE_WORDS] as const;

/** True for the top-level block kinds. */
export function isTopLevelKeyword(s: string): s is TopLevelKind {
    return (TOP_LEVEL_KEYWORDS as readonly string[]).includes(s);
}
