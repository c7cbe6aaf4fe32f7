/**
 * Every value that arrived marked secret is a secret everywhere it would be printed, whatever the
 * field: a stage name, a domain, a tag value held as a Pulumi secret or a Terraform sensitive
 * value. Rules judge the real values; what they write is redacted here, at the one place every
 * finding and CrossGuard message passes, with the Inventory's secret texts.
 */
export const REDACTED = "[secret]";

const compiled = new WeakMap<ReadonlySet<string>, RegExp | null>();

/**
 * `text` with each secret text shown as `[secret]`. A secret is matched where it stands as a whole
 * (not inside a longer word: a secret `dev` leaves `device` alone); longer secrets first.
 */
export function redactSecretTexts(text: string, secrets: ReadonlySet<string>): string {
    if (secrets.size === 0 || text === "") {
        return text;
    }
    let pattern = compiled.get(secrets);
    if (pattern === undefined) {
        const alternatives = [...secrets].filter(secret => secret.trim() !== "").sort((a, b) => b.length - a.length).map(escapeRegExp);
        pattern = alternatives.length === 0 ? null : new RegExp(`(?<![A-Za-z0-9_])(?:${alternatives.join("|")})(?![A-Za-z0-9_])`, "g");
        compiled.set(secrets, pattern);
    }
    return pattern === null ? text : text.replace(pattern, REDACTED);
}

function escapeRegExp(text: string): string {
    return text.replace(/[\\^$.*+?()[\]{}|\/-]/g, "\\$&");
}
