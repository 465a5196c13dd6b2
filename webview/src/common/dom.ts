/** Small DOM helpers: the webviews build their UI with plain elements, no framework. */

type Props = Record<string, string | number | boolean | undefined>;

/**
 * Creates an element with properties (`className`, `title`, `type`, ... and `data-*`
 * attributes) and children. Never sets `style` or `innerHTML`: the CSP allows neither.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    props: Props = {},
    ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
        if (value === undefined) continue;
        if (key.startsWith('data-') || key.startsWith('aria-') || key === 'role') {
            node.setAttribute(key, String(value));
        } else {
            (node as unknown as Record<string, unknown>)[key] = value;
        }
    }
    node.append(...children);
    return node;
}

/** The element with this id, or an error naming it (a bug in the page, not user input). */
export function byId<T extends HTMLElement>(id: string): T {
    const node = document.getElementById(id);
    if (!node) throw new Error(`element #${id} is missing`);
    return node as T;
}

/** Formats a share 0..1 as a percentage with two decimals; a tiny nonzero share shows as "<0.01%". */
export function percent(share: number): string {
    if (share > 0 && share < 0.00005) return '<0.01%';
    return `${(share * 100).toFixed(2)}%`;
}
