/** "Did you mean": the closest candidate by edit distance, or by prefix for half-typed words. */

/** Damerau-Levenshtein distance (adjacent swaps count one edit). */
export function editDistance(a: string, b: string): number {
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
        i,
        ...new Array<number>(b.length).fill(0),
    ]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
                d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

/** The best suggestion for `word` among `candidates`, or undefined when none is close. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
    const w = word.toLowerCase();
    let best: string | undefined;
    let bestScore = Infinity;
    for (const c of candidates) {
        const lc = c.toLowerCase();
        if (lc === w) return c;
        const limit = Math.max(1, Math.floor(Math.max(w.length, 3) * 0.34));
        let score = editDistance(w, lc);
        // A half-typed word: prefer the shortest completion of it.
        if (score > limit && w.length >= 2 && lc.startsWith(w)) {
            score = limit + 0.5 + lc.length / 1000;
        } else if (score > limit && partsInOrder(w, lc)) {
            // Words of a snake_case name with some left out: resize_crop -> resize_and_crop.
            score = limit + 0.7 + lc.length / 1000;
        } else if (score > limit) {
            score = Infinity;
        }
        if (score < bestScore) {
            bestScore = score;
            best = c;
        }
    }
    return best;
}

/** Every `_`-separated part of `w` appears in `c`'s parts, in order (at least two parts). */
function partsInOrder(w: string, c: string): boolean {
    const wp = w.split('_').filter((p) => p);
    const cp = c.split('_');
    if (wp.length < 2) return false;
    let j = 0;
    for (const part of cp) if (j < wp.length && part === wp[j]) j++;
    return j === wp.length;
}

/** " Did you mean 'x'?" or the empty string. */
export function didYouMean(s: string | undefined): string {
    return s === undefined ? '' : ` Did you mean '${s}'?`;
}
