import { TF_UNKNOWN, TF_UNKNOWN_NOT_NULL, isTfUnknown } from "../types";
import { APPLY_TIME_FUNCTIONS, FunctionContext, FunctionError, FUNCTIONS, isPlainObject, isWhollyKnown, lexical, sameValue } from "./functions";
import { commentEnd, heredocBody, heredocHeader, isCommentStart, quotedEnd, templateEnd } from "./lexical";

/**
 * Terraform expressions, statically. `@cdktf/hcl2json` hands every non-literal value over as a
 * template string (`"${aws_api_gateway_rest_api.api.id}"`, `"API-${var.stage}"`); this module
 * parses those into a small syntax tree, evaluates what can be known without Terraform (literals,
 * variables with defaults, locals, attributes written literally in config) and lists the
 * traversals an expression reads, so a reference is recorded even when its value is unknown.
 * Anything it cannot evaluate (most functions, splats, unknown operands) is `TF_UNKNOWN`:
 * unknowns, not guesses.
 */

export type Step =
    | { readonly kind: "attr"; readonly name: string }
    | { readonly kind: "index"; readonly key: Expr }
    | { readonly kind: "splat" };

export type Expr =
    | { readonly t: "literal"; readonly value: unknown }
    | { readonly t: "template"; readonly parts: readonly (string | Expr)[] }
    | { readonly t: "traversal"; readonly root: string; readonly steps: readonly Step[] }
    | { readonly t: "postfix"; readonly target: Expr; readonly steps: readonly Step[] }
    | { readonly t: "call"; readonly name: string; readonly args: readonly Expr[]; readonly expand: boolean }
    | { readonly t: "tuple"; readonly items: readonly Expr[] }
    | { readonly t: "object"; readonly items: readonly (readonly [Expr, Expr])[] }
    | { readonly t: "conditional"; readonly condition: Expr; readonly whenTrue: Expr; readonly whenFalse: Expr }
    | { readonly t: "unary"; readonly op: string; readonly operand: Expr }
    | { readonly t: "binary"; readonly op: string; readonly left: Expr; readonly right: Expr }
    | { readonly t: "for"; readonly vars: readonly string[]; readonly collection: Expr; readonly key?: Expr; readonly value: Expr; readonly condition?: Expr; readonly group: boolean; readonly object: boolean }
    /** A directive (`%{ if }`) or text this parser does not follow: unknown, with the traversals found in it. */
    | { readonly t: "opaque"; readonly traversals: readonly Expr[] };

export type TraversalExpr = Extract<Expr, { t: "traversal" }>;

/** Looks up what a traversal names (a variable, a local, another resource's attribute...). */
export interface Resolver {
    /** `evaluate` sees the for-expression variables in scope where the traversal is (for index keys). */
    traversal(node: TraversalExpr, evaluate: (expr: Expr) => unknown): unknown;
    /** Files and templates for `file()` and friends; without it they are unknown. */
    readonly functions?: FunctionContext;
    /** A function this reader does not implement was called: its value is unknown. */
    unsupported?(name: string): void;
    /** A value went through `sensitive()`. */
    sensitive?(): void;
}

/**
 * What Terraform would stop on (a missing map key, an index past the end, a function's error):
 * unknown to everything (`isTfUnknown`), except `try()` and `can()`, which catch it as Terraform does.
 */
export const TF_ERROR = Object.freeze({ __tfUnknown: true as const, __tfError: true as const });

export function isTfError(value: unknown): boolean {
    return value === TF_ERROR;
}

/**
 * A string from hcl2json is a template: literal text with `${...}` interpolations and `%{...}`
 * directives; `$${` and `%%{` stand for literal `${` and `%{`. hcl2json has already unescaped
 * the quoted string, so `raw` is false for it; strings nested inside an expression are still in
 * source form (`\"`, `\n`) and are parsed with `raw` true.
 */
export function parseTemplate(text: string, raw = false): Expr {
    const parts: (string | Expr)[] = [];
    let literal = "";
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (raw && c === "\\" && i + 1 < text.length) {
            literal += unescape(text, i);
            i += escapeLength(text, i);
            continue;
        }
        if ((c === "$" || c === "%") && text[i + 1] === c && text[i + 2] === "{") {
            literal += `${c}{`;
            i += 3;
            continue;
        }
        if ((c === "$" || c === "%") && text[i + 1] === "{") {
            const end = templateEnd(text, i + 2);
            let body = text.slice(i + 2, end - 1);
            body = body.replace(/^~/, "").replace(/~$/, "");
            if (literal) {
                parts.push(literal);
                literal = "";
            }
            parts.push(c === "$" ? parseExpression(body) : { t: "opaque", traversals: scanTraversals(body) });
            i = end;
            continue;
        }
        literal += c;
        i++;
    }
    if (literal || parts.length === 0) {
        parts.push(literal);
    }
    if (parts.length === 1 && typeof parts[0] === "string") {
        return { t: "literal", value: parts[0] };
    }
    return { t: "template", parts };
}

function escapeLength(text: string, i: number): number {
    const next = text[i + 1];
    if (next === "u") {
        return 6;
    }
    if (next === "U") {
        return 10;
    }
    return 2;
}

function unescape(text: string, i: number): string {
    const next = text[i + 1];
    switch (next) {
        case "n": return "\n";
        case "r": return "\r";
        case "t": return "\t";
        case "\"": return "\"";
        case "\\": return "\\";
        case "u": return String.fromCodePoint(parseInt(text.slice(i + 2, i + 6), 16) || 0xfffd);
        case "U": return String.fromCodePoint(Math.min(parseInt(text.slice(i + 2, i + 10), 16) || 0xfffd, 0x10ffff));
        default: return next ?? "";
    }
}

// ---------------------------------------------------------------------------------------------
// Expression syntax

interface Tok {
    readonly kind: "ident" | "number" | "string" | "heredoc" | "punct" | "newline";
    readonly text: string;
}

const PUNCTUATION = ["=>", "==", "!=", "<=", ">=", "&&", "||", "...", "(", ")", "[", "]", "{", "}", ",", ".", ":", "?", "=", "<", ">", "!", "+", "-", "*", "/", "%"];

function lex(text: string): Tok[] {
    const tokens: Tok[] = [];
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (c === "\n") {
            tokens.push({ kind: "newline", text: c });
            i++;
        } else if (/\s/.test(c)) {
            i++;
        } else if (isCommentStart(text, i)) {
            i = commentEnd(text, i);
        } else if (c === "\"") {
            const end = quotedEnd(text, i);
            tokens.push({ kind: "string", text: text.slice(i + 1, Math.max(i + 1, end - 1)) });
            i = end;
        } else if (c === "<" && text[i + 1] === "<" && /^<<-?[A-Za-z_]/.test(text.slice(i, i + 4))) {
            const header = heredocHeader(text, i);
            if (!header) {
                tokens.push({ kind: "punct", text: "<" });
                i++;
                continue;
            }
            const { lines, end } = heredocBody(text, header.bodyStart, header.marker);
            let body = lines.map(l => l.replace(/\r$/, ""));
            if (header.indented) {
                const indent = Math.min(...body.filter(l => l.trim() !== "").map(l => /^[ \t]*/.exec(l)?.[0].length ?? 0));
                body = body.map(l => l.slice(Number.isFinite(indent) ? indent : 0));
            }
            tokens.push({ kind: "heredoc", text: body.length > 0 ? `${body.join("\n")}\n` : "" });
            i = end;
        } else if (/[A-Za-z_]/.test(c)) {
            let j = i + 1;
            while (j < text.length && /[A-Za-z0-9_-]/.test(text[j])) {
                j++;
            }
            tokens.push({ kind: "ident", text: text.slice(i, j) });
            i = j;
        } else if (/[0-9]/.test(c)) {
            const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
            const number = match ? match[0] : c;
            tokens.push({ kind: "number", text: number });
            i += number.length;
        } else {
            const punct = PUNCTUATION.find(p => text.startsWith(p, i));
            tokens.push({ kind: "punct", text: punct ?? c });
            i += punct ? punct.length : 1;
        }
    }
    return tokens;
}

class SyntaxGap extends Error {}

/** Parse the body of a `${...}`. Text it cannot follow becomes `opaque` (unknown), never an exception. */
export function parseExpression(text: string): Expr {
    const tokens = lex(text);
    try {
        const parser = new ExpressionParser(tokens);
        const expr = parser.parseAll();
        return expr;
    } catch (error) {
        if (error instanceof SyntaxGap) {
            return { t: "opaque", traversals: scanTraversals(text) };
        }
        throw error;
    }
}

/** Every `a.b[...]` traversal in a text, found token by token (the fallback for text the parser cannot follow). */
function scanTraversals(text: string): Expr[] {
    const tokens = lex(text);
    const found: Expr[] = [];
    for (let i = 0; i < tokens.length; i++) {
        const token = tokens[i];
        if (token.kind === "string") {
            found.push(parseTemplate(token.text, true));
            continue;
        }
        if (token.kind !== "ident" || tokens[i - 1]?.text === ".") {
            continue;
        }
        const steps: Step[] = [];
        let j = i + 1;
        while (j + 1 < tokens.length && tokens[j].text === "." && (tokens[j + 1].kind === "ident" || tokens[j + 1].kind === "number")) {
            steps.push({ kind: "attr", name: tokens[j + 1].text });
            j += 2;
        }
        if (steps.length > 0) {
            found.push({ t: "traversal", root: token.text, steps });
        }
        i = j - 1;
    }
    return found;
}

const BINARY_PRECEDENCE: ReadonlyArray<ReadonlySet<string>> = [
    new Set(["||"]),
    new Set(["&&"]),
    new Set(["==", "!="]),
    new Set(["<", ">", "<=", ">="]),
    new Set(["+", "-"]),
    new Set(["*", "/", "%"]),
];

class ExpressionParser {
    private pos = 0;

    constructor(private readonly tokens: readonly Tok[]) {}

    parseAll(): Expr {
        this.skipNewlines();
        const expr = this.expression();
        this.skipNewlines();
        if (this.pos < this.tokens.length) {
            throw new SyntaxGap();
        }
        return expr;
    }

    private peek(offset = 0): Tok | undefined {
        return this.tokens[this.pos + offset];
    }

    private is(text: string, offset = 0): boolean {
        const token = this.peek(offset);
        return token !== undefined && (token.kind === "punct" || token.kind === "ident") && token.text === text;
    }

    private expect(text: string): void {
        this.skipNewlines();
        if (!this.is(text)) {
            throw new SyntaxGap();
        }
        this.pos++;
    }

    private skipNewlines(): void {
        while (this.peek()?.kind === "newline") {
            this.pos++;
        }
    }

    private expression(): Expr {
        const condition = this.binary(0);
        if (this.is("?")) {
            this.pos++;
            this.skipNewlines();
            const whenTrue = this.expression();
            this.expect(":");
            this.skipNewlines();
            const whenFalse = this.expression();
            return { t: "conditional", condition, whenTrue, whenFalse };
        }
        return condition;
    }

    private binary(level: number): Expr {
        if (level >= BINARY_PRECEDENCE.length) {
            return this.unary();
        }
        let left = this.binary(level + 1);
        for (;;) {
            const token = this.peek();
            if (!token || token.kind !== "punct" || !BINARY_PRECEDENCE[level].has(token.text)) {
                return left;
            }
            this.pos++;
            this.skipNewlines();
            const right = this.binary(level + 1);
            left = { t: "binary", op: token.text, left, right };
        }
    }

    private unary(): Expr {
        if (this.is("!") || this.is("-")) {
            const op = this.peek()!.text;
            this.pos++;
            return { t: "unary", op, operand: this.unary() };
        }
        return this.postfix(this.primary());
    }

    private postfix(target: Expr): Expr {
        const steps: Step[] = [];
        for (;;) {
            if (this.is(".")) {
                const next = this.peek(1);
                if (next && (next.kind === "ident" || next.kind === "number")) {
                    steps.push({ kind: "attr", name: next.text });
                    this.pos += 2;
                    continue;
                }
                if (next && next.text === "*") {
                    steps.push({ kind: "splat" });
                    this.pos += 2;
                    continue;
                }
                throw new SyntaxGap();
            }
            if (this.is("[")) {
                if (this.is("*", 1) && this.is("]", 2)) {
                    steps.push({ kind: "splat" });
                    this.pos += 3;
                    continue;
                }
                this.pos++;
                this.skipNewlines();
                const key = this.expression();
                this.expect("]");
                steps.push({ kind: "index", key });
                continue;
            }
            break;
        }
        if (steps.length === 0) {
            return target;
        }
        if (target.t === "traversal") {
            return { t: "traversal", root: target.root, steps: [...target.steps, ...steps] };
        }
        return { t: "postfix", target, steps };
    }

    private primary(): Expr {
        this.skipNewlines();
        const token = this.peek();
        if (!token) {
            throw new SyntaxGap();
        }
        this.pos++;
        switch (token.kind) {
            case "number":
                return { t: "literal", value: Number(token.text) };
            case "string":
                return parseTemplate(token.text, true);
            case "heredoc":
                return parseTemplate(token.text, false);
            case "ident":
                if (token.text === "true" || token.text === "false") {
                    return { t: "literal", value: token.text === "true" };
                }
                if (token.text === "null") {
                    return { t: "literal", value: null };
                }
                if (this.is("(")) {
                    return this.call(token.text);
                }
                return { t: "traversal", root: token.text, steps: [] };
            case "punct":
                if (token.text === "(") {
                    this.skipNewlines();
                    const inner = this.expression();
                    this.expect(")");
                    return inner;
                }
                if (token.text === "[") {
                    return this.tuple();
                }
                if (token.text === "{") {
                    return this.object();
                }
                throw new SyntaxGap();
            default:
                throw new SyntaxGap();
        }
    }

    private call(name: string): Expr {
        this.pos++; // (
        const args: Expr[] = [];
        let expand = false;
        this.skipNewlines();
        while (!this.is(")")) {
            args.push(this.expression());
            this.skipNewlines();
            if (this.is("...")) {
                expand = true;
                this.pos++;
                this.skipNewlines();
            }
            if (this.is(",")) {
                this.pos++;
                this.skipNewlines();
            } else if (!this.is(")")) {
                throw new SyntaxGap();
            }
        }
        this.pos++;
        return { t: "call", name, args, expand };
    }

    private tuple(): Expr {
        this.skipNewlines();
        if (this.is("for")) {
            return this.forExpression("]");
        }
        const items: Expr[] = [];
        while (!this.is("]")) {
            items.push(this.expression());
            this.skipNewlines();
            if (this.is(",")) {
                this.pos++;
                this.skipNewlines();
            } else if (!this.is("]")) {
                throw new SyntaxGap();
            }
        }
        this.pos++;
        return { t: "tuple", items };
    }

    private object(): Expr {
        this.skipNewlines();
        if (this.is("for")) {
            return this.forExpression("}");
        }
        const items: (readonly [Expr, Expr])[] = [];
        while (!this.is("}")) {
            const keyToken = this.peek();
            let key: Expr;
            // A bare identifier key is a name, not a variable (`{ openapi = "3.0.1" }`).
            if (keyToken && keyToken.kind === "ident" && (this.is("=", 1) || this.is(":", 1))) {
                key = { t: "literal", value: keyToken.text };
                this.pos++;
            } else {
                key = this.expression();
            }
            if (!this.is("=") && !this.is(":")) {
                throw new SyntaxGap();
            }
            this.pos++;
            this.skipNewlines();
            const value = this.expression();
            items.push([key, value]);
            if (this.is(",")) {
                this.pos++;
            }
            this.skipNewlines();
            if (this.pos >= this.tokens.length) {
                throw new SyntaxGap();
            }
        }
        this.pos++;
        return { t: "object", items };
    }

    /** `[for k, v in coll : expr if cond]` / `{for k, v in coll : k => v... if cond}`. */
    private forExpression(close: "]" | "}"): Expr {
        this.pos++; // for
        const vars: string[] = [];
        while (this.peek()?.kind === "ident" && !this.is("in")) {
            vars.push(this.peek()!.text);
            this.pos++;
            if (this.is(",")) {
                this.pos++;
            }
        }
        if (vars.length === 0 || vars.length > 2) {
            throw new SyntaxGap();
        }
        this.expect("in");
        this.skipNewlines();
        const collection = this.expression();
        this.expect(":");
        this.skipNewlines();
        let key: Expr | undefined;
        let value = this.expression();
        this.skipNewlines();
        if (close === "}") {
            this.expect("=>");
            this.skipNewlines();
            key = value;
            value = this.expression();
            this.skipNewlines();
        }
        let group = false;
        if (close === "}" && this.is("...")) {
            group = true;
            this.pos++;
            this.skipNewlines();
        }
        let condition: Expr | undefined;
        if (this.is("if")) {
            this.pos++;
            this.skipNewlines();
            condition = this.expression();
            this.skipNewlines();
        }
        this.expect(close);
        return { t: "for", vars, collection, ...(key ? { key } : {}), value, ...(condition ? { condition } : {}), group, object: close === "}" };
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export { isPlainObject, isWhollyKnown };

/** For-expression variables in scope: name → value. */
type Scope = ReadonlyMap<string, unknown>;

const EMPTY_SCOPE: Scope = new Map();

/** The first error among values, if any: Terraform stops on it, and try() catches it. */
function errorAmong(values: readonly unknown[]): unknown {
    return values.find(isTfError);
}

/** Evaluate an expression; `scope` holds the for-expression variables in scope. */
export function evaluate(expr: Expr, resolver: Resolver, scope: Scope = EMPTY_SCOPE): unknown {
    const recurse = (inner: Expr): unknown => evaluate(inner, resolver, scope);
    switch (expr.t) {
        case "literal":
            return expr.value;
        case "template": {
            // `"${x}"` alone is x itself, unconverted (a list stays a list).
            if (expr.parts.length === 1 && typeof expr.parts[0] !== "string") {
                return recurse(expr.parts[0]);
            }
            let out = "";
            let unknown = false;
            for (const part of expr.parts) {
                if (typeof part === "string") {
                    out += part;
                    continue;
                }
                const value = recurse(part);
                if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
                    out += String(value);
                } else if (isTfError(value) || (!isTfUnknown(value) && (value === null || typeof value === "object"))) {
                    // Terraform refuses null and collections in a template.
                    return TF_ERROR;
                } else {
                    unknown = true;
                }
            }
            return unknown ? TF_UNKNOWN : out;
        }
        case "traversal":
            if (scope.has(expr.root)) {
                return applySteps(scope.get(expr.root), expr.steps, recurse);
            }
            return resolver.traversal(expr, recurse);
        case "postfix":
            return applySteps(recurse(expr.target), expr.steps, recurse);
        case "call":
            return call(expr, resolver, recurse);
        case "tuple":
            return expr.items.map(recurse);
        case "object": {
            const out: Record<string, unknown> = {};
            for (const [keyExpr, valueExpr] of expr.items) {
                const key = recurse(keyExpr);
                if (typeof key !== "string" && typeof key !== "number" && typeof key !== "boolean") {
                    return isTfError(key) ? TF_ERROR : TF_UNKNOWN;
                }
                out[String(key)] = recurse(valueExpr);
            }
            return out;
        }
        case "conditional": {
            const raw = recurse(expr.condition);
            const condition = raw === "true" ? true : raw === "false" ? false : raw;
            if (typeof condition === "boolean") {
                return recurse(condition ? expr.whenTrue : expr.whenFalse);
            }
            return isTfError(condition) || (!isTfUnknown(condition)) ? TF_ERROR : TF_UNKNOWN;
        }
        case "unary": {
            const operand = recurse(expr.operand);
            if (expr.op === "!" && typeof operand === "boolean") {
                return !operand;
            }
            if (expr.op === "-" && typeof operand === "number") {
                return -operand;
            }
            return isTfError(operand) ? TF_ERROR : TF_UNKNOWN;
        }
        case "binary":
            return binary(expr.op, recurse(expr.left), recurse(expr.right));
        case "for":
            return forExpression(expr, resolver, scope);
        case "opaque":
            return TF_UNKNOWN;
    }
}

/** The most items a for-expression builds: past it the value is unknown rather than a memory hazard. */
const MAX_FOR_ITEMS = 100_000;

function forExpression(expr: Extract<Expr, { t: "for" }>, resolver: Resolver, scope: Scope): unknown {
    const collection = evaluate(expr.collection, resolver, scope);
    let entries: Array<[unknown, unknown]>;
    if (Array.isArray(collection)) {
        entries = collection.map((item, index) => [index, item]);
    } else if (isPlainObject(collection)) {
        // Terraform walks map and object keys in lexical order.
        entries = Object.keys(collection).sort(lexical).map(key => [key, collection[key]]);
    } else {
        return isTfError(collection) || !isTfUnknown(collection) ? TF_ERROR : TF_UNKNOWN;
    }
    if (entries.length > MAX_FOR_ITEMS) {
        return TF_UNKNOWN;
    }
    const [first, second] = expr.vars;
    const items: unknown[] = [];
    const keyed: Array<[unknown, unknown]> = [];
    let unknown = false;
    for (const [key, value] of entries) {
        const inner = new Map(scope);
        if (second !== undefined) {
            inner.set(first, key);
            inner.set(second, value);
        } else {
            inner.set(first, value);
        }
        if (expr.condition) {
            const keep = evaluate(expr.condition, resolver, inner);
            if (typeof keep !== "boolean") {
                if (isTfError(keep)) {
                    return TF_ERROR;
                }
                // Whether this item is in is unknown, so the collection's shape is too.
                unknown = true;
                continue;
            }
            if (!keep) {
                continue;
            }
        }
        if (expr.key) {
            keyed.push([evaluate(expr.key, resolver, inner), evaluate(expr.value, resolver, inner)]);
        } else {
            items.push(evaluate(expr.value, resolver, inner));
        }
    }
    if (unknown) {
        return TF_UNKNOWN;
    }
    if (!expr.object) {
        return items;
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of keyed) {
        if (typeof key !== "string" && typeof key !== "number" && typeof key !== "boolean") {
            return isTfError(key) || key === null ? TF_ERROR : TF_UNKNOWN;
        }
        const name = String(key);
        if (expr.group) {
            const group = out[name];
            out[name] = Array.isArray(group) ? [...group, value] : [value];
        } else if (Object.prototype.hasOwnProperty.call(out, name)) {
            // Terraform refuses a duplicate key without `...`.
            return TF_ERROR;
        } else {
            out[name] = value;
        }
    }
    return out;
}

function call(expr: Extract<Expr, { t: "call" }>, resolver: Resolver, recurse: (inner: Expr) => unknown): unknown {
    if (expr.name === "try") {
        // The first argument that does not fail; an unknown one decides nothing yet.
        for (const arg of expr.args) {
            const value = recurse(arg);
            if (!isTfError(value)) {
                return value;
            }
        }
        return TF_ERROR;
    }
    if (expr.name === "can") {
        const value = expr.args.length === 1 ? recurse(expr.args[0]) : TF_ERROR;
        return isTfError(value) ? false : isWhollyKnown(value) ? true : TF_UNKNOWN;
    }
    if (expr.name === "sensitive") {
        resolver.sensitive?.();
        return expr.args.length === 1 ? recurse(expr.args[0]) : TF_ERROR;
    }
    const fn = Object.prototype.hasOwnProperty.call(FUNCTIONS, expr.name) ? FUNCTIONS[expr.name] : undefined;
    if (!fn) {
        if (!APPLY_TIME_FUNCTIONS.has(expr.name)) {
            resolver.unsupported?.(expr.name);
        }
        expr.args.forEach(recurse);
        return TF_UNKNOWN;
    }
    let args = expr.args.map(recurse);
    if (expr.expand) {
        const last = args[args.length - 1];
        if (!Array.isArray(last)) {
            return isTfError(last) || !isTfUnknown(last) ? TF_ERROR : TF_UNKNOWN;
        }
        args = [...args.slice(0, -1), ...last];
    }
    if (errorAmong(args) !== undefined) {
        return TF_ERROR;
    }
    if (fn.partial ? args.some(isTfUnknown) : !args.every(isWhollyKnown)) {
        return TF_UNKNOWN;
    }
    const context: FunctionContext = resolver.functions ?? {
        readFile: () => ({ kind: "refused", reason: "files are not read here" }),
        renderTemplate: () => TF_UNKNOWN,
    };
    try {
        return fn.call(args, context);
    } catch (error) {
        // A function's own failure is Terraform's error; anything else (a value too large to
        // build, say) is this reader's limit: unknown, never a crash of the scan.
        return error instanceof FunctionError ? TF_ERROR : TF_UNKNOWN;
    }
}

function binary(op: string, left: unknown, right: unknown): unknown {
    if (isTfError(left) || isTfError(right)) {
        return TF_ERROR;
    }
    if ((op === "==" || op === "!=") && ((left === TF_UNKNOWN_NOT_NULL && right === null) || (left === null && right === TF_UNKNOWN_NOT_NULL))) {
        return op === "!=";
    }
    if (!isWhollyKnown(left) || !isWhollyKnown(right)) {
        return TF_UNKNOWN;
    }
    if (op === "==" || op === "!=") {
        const equal = sameValue(left, right);
        return op === "==" ? equal : !equal;
    }
    if (op === "&&" || op === "||") {
        if (typeof left !== "boolean" || typeof right !== "boolean") {
            return TF_ERROR;
        }
        return op === "&&" ? left && right : left || right;
    }
    const a = typeof left === "string" && left.trim() !== "" ? Number(left) : left;
    const b = typeof right === "string" && right.trim() !== "" ? Number(right) : right;
    if (typeof a !== "number" || typeof b !== "number" || Number.isNaN(a) || Number.isNaN(b)) {
        return TF_ERROR;
    }
    switch (op) {
        case "+": return a + b;
        case "-": return a - b;
        case "*": return a * b;
        case "/": return b === 0 ? TF_ERROR : a / b;
        case "%": return b === 0 ? TF_ERROR : a % b;
        case "<": return a < b;
        case ">": return a > b;
        case "<=": return a <= b;
        case ">=": return a >= b;
        default: return TF_UNKNOWN;
    }
}

/**
 * Follow `.attr` / `[key]` / `[*]` steps into a value. A step that Terraform would fail on (a
 * missing key of a known map, an index past the end, an attribute of null) is `TF_ERROR`, unless
 * `missingIsUnknown`: an attribute the provider computes is absent from config without being an error.
 */
export function applySteps(start: unknown, steps: readonly Step[], evaluateKey: (expr: Expr) => unknown, missingIsUnknown = false): unknown {
    const missing = missingIsUnknown ? TF_UNKNOWN : TF_ERROR;
    let current = start;
    for (let i = 0; i < steps.length; i++) {
        const step = steps[i];
        if (isTfUnknown(current)) {
            return current;
        }
        if (step.kind === "splat") {
            // `x[*].a`: over a list, each item; null is an empty list; anything else is a one-item list.
            const items = Array.isArray(current) ? current : current === null || current === undefined ? [] : [current];
            const rest = steps.slice(i + 1);
            return items.map(item => applySteps(item, rest, evaluateKey, missingIsUnknown));
        }
        if (current === null || current === undefined) {
            return missing;
        }
        const key = step.kind === "attr" ? step.name : evaluateKey(step.key);
        if (isTfUnknown(key)) {
            return key;
        }
        if (Array.isArray(current)) {
            const index = typeof key === "number" ? key : typeof key === "string" && /^[0-9]+$/.test(key) ? Number(key) : undefined;
            if (index === undefined || index >= current.length) {
                return missing;
            }
            current = current[index];
        } else if (isPlainObject(current) && (typeof key === "string" || typeof key === "number")) {
            if (!Object.prototype.hasOwnProperty.call(current, String(key))) {
                return missing;
            }
            current = current[String(key)];
        } else {
            return missing;
        }
    }
    return current;
}

/**
 * The traversals an expression reads, outermost first. Traversals rooted at a for-expression's
 * own variables are left out: they name items of the collection, which is itself listed.
 */
export function traversalsOf(expr: Expr, bound: ReadonlySet<string> = new Set()): TraversalExpr[] {
    const out: TraversalExpr[] = [];
    const visit = (node: Expr, names: ReadonlySet<string>): void => {
        switch (node.t) {
            case "literal":
                return;
            case "template":
                node.parts.forEach(part => typeof part !== "string" && visit(part, names));
                return;
            case "traversal":
                if (!names.has(node.root)) {
                    out.push(node);
                }
                node.steps.forEach(step => step.kind === "index" && visit(step.key, names));
                return;
            case "postfix":
                visit(node.target, names);
                node.steps.forEach(step => step.kind === "index" && visit(step.key, names));
                return;
            case "call":
                node.args.forEach(arg => visit(arg, names));
                return;
            case "tuple":
                node.items.forEach(item => visit(item, names));
                return;
            case "object":
                node.items.forEach(([key, value]) => {
                    visit(key, names);
                    visit(value, names);
                });
                return;
            case "conditional":
                visit(node.condition, names);
                visit(node.whenTrue, names);
                visit(node.whenFalse, names);
                return;
            case "unary":
                visit(node.operand, names);
                return;
            case "binary":
                visit(node.left, names);
                visit(node.right, names);
                return;
            case "for": {
                visit(node.collection, names);
                const inner = new Set([...names, ...node.vars]);
                for (const part of [node.key, node.value, node.condition]) {
                    if (part) {
                        visit(part, inner);
                    }
                }
                return;
            }
            case "opaque":
                node.traversals.forEach(part => visit(part, names));
                return;
        }
    };
    visit(expr, bound);
    return out;
}
