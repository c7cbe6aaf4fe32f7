/**
 * Every value that arrived marked secret is a secret everywhere it would be printed, whatever the
 * field: a stage name, a domain, a tag value held as a Pulumi secret or a Terraform sensitive
 * value. Rules judge the real values; what they write is redacted here, at the one place every
 * finding and CrossGuard message passes, with the Inventory's secret texts.
 */
export const REDACTED = "[secret]";

/** Secrets by their first (up to) three characters, longest first within a prefix. */
interface SecretIndex {
    readonly byPrefix: ReadonlyMap<string, readonly string[]>;
}

const indexes = new WeakMap<ReadonlySet<string>, SecretIndex>();
const WORD = /[A-Za-z0-9_]/;

function indexOf(secrets: ReadonlySet<string>): SecretIndex {
    let index = indexes.get(secrets);
    if (index === undefined) {
        const byPrefix = new Map<string, string[]>();
        for (const secret of secrets) {
            if (secret.trim() === "") {
                continue;
            }
            const prefix = secret.slice(0, 3);
            const list = byPrefix.get(prefix);
            if (list) {
                list.push(secret);
            } else {
                byPrefix.set(prefix, [secret]);
            }
        }
        for (const list of byPrefix.values()) {
            list.sort((a, b) => b.length - a.length);
        }
        index = { byPrefix };
        indexes.set(secrets, index);
    }
    return index;
}

/**
 * `text` with each secret text shown as `[secret]`. A secret is matched where it stands as a whole
 * (not inside a longer word: a secret `dev` leaves `device` alone), the longest first. One pass
 * over the text with look-ups by prefix: linear in the text, whatever the number of secrets (a
 * RegExp alternation of thousands of secrets was the slowest part of a large scan).
 */
export function redactSecretTexts(text: string, secrets: ReadonlySet<string>): string {
    if (secrets.size === 0 || text === "") {
        return text;
    }
    const { byPrefix } = indexOf(secrets);
    if (byPrefix.size === 0) {
        return text;
    }
    let out: string | undefined;
    let copiedTo = 0;
    let i = 0;
    while (i < text.length) {
        if (i > 0 && WORD.test(text[i - 1])) {
            i++;
            continue;
        }
        const match = matchAt(text, i, byPrefix);
        if (match === undefined) {
            i++;
            continue;
        }
        out = (out ?? "") + text.slice(copiedTo, i) + REDACTED;
        i += match.length;
        copiedTo = i;
    }
    return out === undefined ? text : out + text.slice(copiedTo);
}

function matchAt(text: string, at: number, byPrefix: ReadonlyMap<string, readonly string[]>): string | undefined {
    for (let length = 3; length >= 1; length--) {
        const candidates = byPrefix.get(text.slice(at, at + length));
        if (candidates === undefined) {
            continue;
        }
        for (const secret of candidates) {
            const end = at + secret.length;
            if (text.startsWith(secret, at) && (end >= text.length || !WORD.test(text[end]))) {
                return secret;
            }
        }
    }
    return undefined;
}
