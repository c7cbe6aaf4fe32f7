import { createHash } from "node:crypto";

/** JSON with object keys sorted at every level, so equal specs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map(item => canonicalJson(item === undefined ? null : item)).join(",")}]`;
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, item]) => item !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
    }
    return JSON.stringify(value ?? null);
}

export function sha256Hex(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}
