import { commentEnd, heredocBody, heredocHeader, isCommentStart, quotedEnd } from "./lexical";

/**
 * Source positions for Terraform's native syntax. `@cdktf/hcl2json` turns a `.tf` file into JSON
 * but keeps no positions, and a finding must point at the line a person has to change. This is a
 * small lexer that understands just enough HCL to find where each block and attribute starts:
 * comments (`#`, `//`, `/* *\/`), quoted strings with `${...}` / `%{...}` templates (which may
 * nest strings and braces), heredocs, and bracket nesting; where each of those ends is decided by
 * `lexical.ts`, shared with the expression lexer. Everything inside an expression is skipped;
 * only the body structure (attributes and blocks) is kept.
 */

type TokenKind = "ident" | "string" | "punct" | "newline" | "other";

interface Token {
    readonly kind: TokenKind;
    readonly text: string;
    readonly line: number;
}

/** An attribute (`name = expr`) or a block (`type "label" ... { body }`) of an HCL body. */
export type BodyItem =
    | { readonly kind: "attribute"; readonly name: string; readonly line: number }
    | { readonly kind: "block"; readonly type: string; readonly labels: readonly string[]; readonly line: number; readonly body: readonly BodyItem[] };

export type BlockItem = Extract<BodyItem, { kind: "block" }>;

/** The top-level body of a `.tf` file. Never throws: text it cannot follow is skipped. */
export function scanHclBody(text: string): BodyItem[] {
    const tokens = tokenize(text);
    return new BodyParser(tokens).parseBody(false);
}

/**
 * Attribute name → line for a block body: top-level attributes and nested blocks by name,
 * attributes of nested blocks by dotted path (`settings.logging_level`). The first occurrence
 * wins (a repeated block points at its first instance). `dynamic "x"` blocks count as block `x`.
 */
export function attributeLinesOf(body: readonly BodyItem[], prefix = "", into: Record<string, number> = {}): Record<string, number> {
    for (const item of body) {
        if (item.kind === "attribute") {
            into[prefix + item.name] ??= item.line;
            continue;
        }
        if (item.type === "dynamic" && item.labels.length === 1) {
            const name = item.labels[0];
            into[prefix + name] ??= item.line;
            for (const inner of item.body) {
                if (inner.kind === "block" && inner.type === "content") {
                    attributeLinesOf(inner.body, `${prefix}${name}.`, into);
                }
            }
            continue;
        }
        into[prefix + item.type] ??= item.line;
        attributeLinesOf(item.body, `${prefix}${item.type}.`, into);
    }
    return into;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_-]/;

function tokenize(source: string): Token[] {
    const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
    const tokens: Token[] = [];
    let line = 1;
    let i = 0;
    const push = (kind: TokenKind, value: string, at: number) => tokens.push({ kind, text: value, line: at });

    while (i < text.length) {
        const c = text[i];
        if (c === "\n") {
            push("newline", c, line);
            line++;
            i++;
        } else if (c === " " || c === "\t" || c === "\r") {
            i++;
        } else if (isCommentStart(text, i)) {
            const end = commentEnd(text, i);
            line += countNewlines(text, i, end);
            i = end;
        } else if (c === "\"") {
            const start = line;
            const end = quotedEnd(text, i, { stopAtNewline: true });
            line += countNewlines(text, i, end);
            push("string", text.slice(i + 1, Math.max(i + 1, end - 1)), start);
            i = end;
        } else if (c === "<" && text[i + 1] === "<" && /[-A-Za-z_]/.test(text[i + 2] ?? "")) {
            const header = heredocHeader(text, i);
            if (!header) {
                push("punct", "<", line);
                i++;
                continue;
            }
            const start = line;
            const { end } = heredocBody(text, header.bodyStart, header.marker);
            line += countNewlines(text, i, end);
            push("string", "", start);
            i = end;
        } else if (IDENT_START.test(c)) {
            let j = i + 1;
            while (j < text.length && IDENT_PART.test(text[j])) {
                j++;
            }
            push("ident", text.slice(i, j), line);
            i = j;
        } else if (c === "=" && (text[i + 1] === "=" || text[i + 1] === ">")) {
            push("other", text.slice(i, i + 2), line);
            i += 2;
        } else if ("{}[]()=,".includes(c)) {
            push("punct", c, line);
            i++;
        } else {
            push("other", c, line);
            i++;
        }
    }
    return tokens;
}

function countNewlines(text: string, from: number, to: number): number {
    let count = 0;
    for (let k = from; k < to; k++) {
        if (text.charCodeAt(k) === 10) {
            count++;
        }
    }
    return count;
}

class BodyParser {
    private pos = 0;

    constructor(private readonly tokens: readonly Token[]) {}

    /** Items up to the `}` that closes this body (consumed), or to the end of input. */
    parseBody(closed: boolean): BodyItem[] {
        const items: BodyItem[] = [];
        while (this.pos < this.tokens.length) {
            const token = this.tokens[this.pos];
            if (token.kind === "newline") {
                this.pos++;
                continue;
            }
            if (token.kind === "punct" && token.text === "}") {
                this.pos++;
                if (closed) {
                    return items;
                }
                continue;
            }
            if (token.kind !== "ident") {
                this.skipLine();
                continue;
            }
            const next = this.tokens[this.pos + 1];
            if (next && next.kind === "punct" && next.text === "=") {
                items.push({ kind: "attribute", name: token.text, line: token.line });
                this.pos += 2;
                this.skipExpression();
                continue;
            }
            const labels: string[] = [];
            let k = this.pos + 1;
            while (k < this.tokens.length && (this.tokens[k].kind === "string" || this.tokens[k].kind === "ident")) {
                labels.push(this.tokens[k].text);
                k++;
            }
            const open = this.tokens[k];
            if (open && open.kind === "punct" && open.text === "{") {
                this.pos = k + 1;
                const body = this.parseBody(true);
                items.push({ kind: "block", type: token.text, labels, line: token.line, body });
                continue;
            }
            this.skipLine();
        }
        return items;
    }

    /** An attribute's expression ends at a newline outside brackets, or at the `}` closing the body. */
    private skipExpression(): void {
        let depth = 0;
        while (this.pos < this.tokens.length) {
            const token = this.tokens[this.pos];
            if (token.kind === "newline" && depth === 0) {
                return;
            }
            if (token.kind === "punct") {
                if (token.text === "{" || token.text === "[" || token.text === "(") {
                    depth++;
                } else if (token.text === "}" || token.text === "]" || token.text === ")") {
                    if (depth === 0) {
                        return;
                    }
                    depth--;
                }
            }
            this.pos++;
        }
    }

    private skipLine(): void {
        this.skipExpression();
        if (this.tokens[this.pos]?.kind === "newline") {
            this.pos++;
        } else if (this.tokens[this.pos]?.kind === "punct" && this.tokens[this.pos].text !== "}") {
            this.pos++;
        }
    }
}

/** Attribute lines of a `.tf.json` block body, in the same shape as `attributeLinesOf`. */
export function jsonAttributeLines(body: unknown, keyLines: WeakMap<object, Record<string, number>>, prefix = "", into: Record<string, number> = {}): Record<string, number> {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
        return into;
    }
    const lines = keyLines.get(body) ?? {};
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
        if (lines[key] !== undefined) {
            into[prefix + key] ??= lines[key];
        }
        // Nested blocks are objects or lists of objects in Terraform JSON.
        const first = Array.isArray(value) ? value[0] : value;
        if (prefix === "" && typeof first === "object" && first !== null && !Array.isArray(first)) {
            jsonAttributeLines(first, keyLines, `${key}.`, into);
        }
    }
    return into;
}

/**
 * Dotted paths of the nested blocks in a body (`settings`, `access_log_settings`), including
 * `dynamic` ones. hcl2json writes a block and a list-of-objects attribute the same way; the
 * source tells them apart.
 */
export function blockPathsOf(body: readonly BodyItem[], prefix = "", into: Set<string> = new Set()): Set<string> {
    for (const item of body) {
        if (item.kind !== "block") {
            continue;
        }
        if (item.type === "dynamic" && item.labels.length === 1) {
            into.add(prefix + item.labels[0]);
            for (const inner of item.body) {
                if (inner.kind === "block" && inner.type === "content") {
                    blockPathsOf(inner.body, `${prefix}${item.labels[0]}.`, into);
                }
            }
            continue;
        }
        into.add(prefix + item.type);
        blockPathsOf(item.body, `${prefix}${item.type}.`, into);
    }
    return into;
}
