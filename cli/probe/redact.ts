/** What replaces a secret value wherever one might surface. */
export const REDACTED = "[redacted]";

/**
 * Replace every occurrence of each secret (as given and percent-encoded) in `text`. Defence in
 * depth: nothing the probe writes is built from a secret, but a message quoting an error or an
 * answer could still carry one (a backend that echoes request headers, a library error).
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
    let out = text;
    for (const secret of secrets) {
        if (secret === undefined || secret === "") {
            continue;
        }
        for (const form of new Set([secret, encodeURIComponent(secret)])) {
            out = out.split(form).join(REDACTED);
        }
    }
    return out;
}
