import { InventoryGap } from "apigw-guard/policies/model/index";
import { SourceError } from "apigw-guard/policies/sources/errors";

/**
 * What the HCL reader reports instead of failing: notices, syntax errors and I/O errors, each
 * worded so that no message carries a value from the input.
 */

/** Something deliberately not read (a remote module source). Reported, not a failure of the input. */
export class HclNotice extends SourceError {
    constructor(message: string, file?: string, line?: number) {
        super(message, file, line);
        this.name = "SourceNotice";
    }
}

/** A read error as an Inventory gap: `file:line: message`, with the place as provenance. */
export function errorToGap(error: SourceError): InventoryGap {
    const where = error.file ? `${error.file}${error.line !== undefined ? `:${error.line}` : ""}: ` : "";
    return {
        message: `${where}${error.message}`,
        ...(error.file ? { provenance: { source: "terraform", file: error.file, ...(error.line !== undefined ? { line: error.line } : {}) } } : {}),
    };
}

/**
 * hcl2json reports `parse config: [main.tf:12,7-13,1: Summary; Detail. other diagnostics]`.
 * Only the file, line and HCL's fixed summary text are kept: the detail can quote the source
 * (an invalid escape inside a key value, say), and no message may carry a value from the input.
 */
export function syntaxError(file: string, name: string, error: unknown): SourceError {
    const text = error instanceof Error ? error.message : String(error);
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const match = new RegExp(`${escaped}:(\\d+),(\\d+)(?:-[0-9,]+)?: ([^;\\]]*)`).exec(text) ?? /:(\d+),(\d+)(?:-[0-9,]+)?: ([^;\]]*)/.exec(text);
    if (!match) {
        return new SourceError("HCL syntax error", file);
    }
    const summary = match[3].replace(/"[^"]*"/g, "…").replace(/'[^']*'/g, "…").trim().slice(0, 120);
    return new SourceError(`HCL syntax error at column ${match[2]}: ${summary || "invalid syntax"}`, file, Number(match[1]));
}

/** An I/O error by its code alone: the path is shown beside it, and Node's own message repeats it. */
export function ioReason(error: unknown): string {
    const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
    switch (code) {
        case "ENOENT": return "no such file or directory";
        case "EACCES": return "permission denied";
        case "ENOTDIR": return "not a directory";
        case "EISDIR": return "is a directory";
        default: return typeof code === "string" ? code : "unreadable";
    }
}

/** A module source for a message, without credentials or query strings (`git::https://user:token@host/...?ref=`). */
export function describeSource(source: string): string {
    return source.replace(/\/\/[^/@]*@/, "//").replace(/\?.*$/, "").slice(0, 200);
}
