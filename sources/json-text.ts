/**
 * JSON text, scanned by one scanner for two needs:
 * - saying where a file is broken without quoting it (`parseJsonText`, `locateJsonSyntaxError`).
 *   V8's own messages echo a slice of the input (`Unexpected token 'x', "...value..." is not
 *   valid JSON`), which may hold a key value, so on failure the text is scanned again here to
 *   find the position alone;
 * - the line of every object key (`parseJsonWithLines`), which `JSON.parse` does not give and a
 *   finding in a `.tf.json` file (or a plan) needs.
 * Values always come from `JSON.parse`; the scanner only walks the text beside them.
 */

export interface JsonSyntaxProblem {
    /** What is wrong, phrased without any of the input. */
    readonly reason: string;
    /** 0-based character offset, 1-based line and column of the problem. */
    readonly offset: number;
    readonly line: number;
    readonly column: number;
    /** The input ended in the middle of a value (a cut-off download, an interrupted write). */
    readonly truncated: boolean;
}

export type JsonParseResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: JsonSyntaxProblem };

export function parseJsonText(text: string): JsonParseResult {
    try {
        return { ok: true, value: JSON.parse(text) };
    } catch {
        return { ok: false, problem: locateJsonSyntaxError(text) };
    }
}

class Stop {
    constructor(readonly reason: string, readonly offset: number, readonly truncated: boolean) {}
}

/** The first syntax error in `text` (assumed not to be valid JSON). */
export function locateJsonSyntaxError(text: string): JsonSyntaxProblem {
    let stop: Stop;
    try {
        const scanner = new Scanner(text);
        scanner.document();
        stop = new Stop("invalid JSON", 0, false);
    } catch (error) {
        stop = error instanceof Stop ? error : new Stop("invalid JSON (nested too deeply to locate the error)", 0, false);
    }
    const { line, column } = lineAndColumn(text, stop.offset);
    return { reason: stop.reason, offset: stop.offset, line, column, truncated: stop.truncated };
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < text.length; i++) {
        if (text.charCodeAt(i) === 10) {
            line++;
            lineStart = i + 1;
        }
    }
    return { line, column: offset - lineStart + 1 };
}

/**
 * Terraform's JSON syntax (`.tf.json`) and plans: `JSON.parse`, plus the line of every object key.
 * `keyLines` maps each parsed object to its keys' lines; a repeated key keeps its first line.
 * Throws `JSON.parse`'s SyntaxError on bad input (callers must not show its message: it quotes the input).
 */
export interface JsonWithLines {
    readonly value: unknown;
    readonly keyLines: WeakMap<object, Record<string, number>>;
}

export function parseJsonWithLines(source: string): JsonWithLines {
    const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
    const value: unknown = JSON.parse(text);
    const keyLines = new WeakMap<object, Record<string, number>>();
    // The text is valid JSON here, so the scan walks it in step with the value and never stops early.
    new Scanner(text, keyLines).document(value);
    return { value, keyLines };
}

const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/**
 * A recursive-descent walk over JSON text that throws `Stop` at the first syntax error. Given
 * `keyLines`, it also walks the parsed value alongside the text and records each object's key lines.
 */
class Scanner {
    private pos = 0;
    private line = 1;

    constructor(private readonly text: string, private readonly keyLines?: WeakMap<object, Record<string, number>>) {}

    document(node?: unknown): void {
        this.value(node);
        this.whitespace();
        if (this.pos < this.text.length) {
            this.fail("unexpected data after the end of the JSON value");
        }
    }

    private fail(reason: string, truncated = false): never {
        throw new Stop(reason, this.pos, truncated);
    }

    private end(what: string): never {
        throw new Stop(`unexpected end of input ${what}: the JSON is truncated`, this.text.length, true);
    }

    private whitespace(): void {
        while (this.pos < this.text.length) {
            const c = this.text[this.pos];
            if (c === "\n") {
                this.line++;
                this.pos++;
            } else if (c === " " || c === "\t" || c === "\r") {
                this.pos++;
            } else {
                break;
            }
        }
    }

    /** `node` is the parsed value this text stands for (followed only when recording key lines). */
    private value(node: unknown): void {
        this.whitespace();
        if (this.pos >= this.text.length) {
            this.end("where a value was expected");
        }
        const c = this.text[this.pos];
        if (c === "{") {
            this.object(node);
        } else if (c === "[") {
            this.array(node);
        } else if (c === "\"") {
            this.string();
        } else if (c === "-" || (c >= "0" && c <= "9")) {
            this.number();
        } else if (c === "t" || c === "f" || c === "n") {
            this.literal(c === "t" ? "true" : c === "f" ? "false" : "null");
        } else {
            this.fail("unexpected character where a value was expected");
        }
    }

    private object(node: unknown): void {
        this.pos++;
        const lines: Record<string, number> = {};
        const isObject = typeof node === "object" && node !== null;
        if (this.keyLines && isObject) {
            this.keyLines.set(node, lines);
        }
        this.whitespace();
        if (this.text[this.pos] === "}") {
            this.pos++;
            return;
        }
        for (;;) {
            this.whitespace();
            if (this.pos >= this.text.length) {
                this.end("inside an object");
            }
            if (this.text[this.pos] !== "\"") {
                this.fail("expected a double-quoted property name");
            }
            const keyStart = this.pos;
            const keyLine = this.line;
            this.string();
            let child: unknown;
            if (this.keyLines) {
                const key = JSON.parse(this.text.slice(keyStart, this.pos)) as string;
                lines[key] ??= keyLine;
                child = isObject ? (node as Record<string, unknown>)[key] : undefined;
            }
            this.whitespace();
            if (this.pos >= this.text.length) {
                this.end("inside an object");
            }
            if (this.text[this.pos] !== ":") {
                this.fail("expected ':' after a property name");
            }
            this.pos++;
            this.value(child);
            this.whitespace();
            if (this.pos >= this.text.length) {
                this.end("inside an object");
            }
            const c = this.text[this.pos];
            if (c === "}") {
                this.pos++;
                return;
            }
            if (c !== ",") {
                this.fail("expected ',' or '}' after a property value");
            }
            this.pos++;
        }
    }

    private array(node: unknown): void {
        this.pos++;
        this.whitespace();
        if (this.text[this.pos] === "]") {
            this.pos++;
            return;
        }
        for (let index = 0; ; index++) {
            this.value(Array.isArray(node) ? node[index] : undefined);
            this.whitespace();
            if (this.pos >= this.text.length) {
                this.end("inside a list");
            }
            const c = this.text[this.pos];
            if (c === "]") {
                this.pos++;
                return;
            }
            if (c !== ",") {
                this.fail("expected ',' or ']' after a list element");
            }
            this.pos++;
        }
    }

    private string(): void {
        this.pos++;
        while (this.pos < this.text.length) {
            const code = this.text.charCodeAt(this.pos);
            if (code === 0x22) {
                this.pos++;
                return;
            }
            if (code < 0x20) {
                this.fail("control character (e.g. a raw line break) inside a string");
            }
            if (code === 0x5c) {
                const next = this.text[this.pos + 1];
                if (next === undefined) {
                    break;
                }
                if (next === "u") {
                    const hex = this.text.slice(this.pos + 2, this.pos + 6);
                    if (hex.length < 4 && this.pos + 2 + hex.length >= this.text.length && /^[0-9a-fA-F]*$/.test(hex)) {
                        break;
                    }
                    if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
                        this.fail("invalid \\u escape in a string");
                    }
                    this.pos += 6;
                    continue;
                }
                if (!"\"\\/bfnrt".includes(next)) {
                    this.fail("invalid escape in a string");
                }
                this.pos += 2;
                continue;
            }
            this.pos++;
        }
        this.end("inside a string");
    }

    private number(): void {
        NUMBER.lastIndex = this.pos;
        const match = NUMBER.exec(this.text);
        if (!match) {
            if (this.pos + 1 >= this.text.length) {
                this.end("inside a number");
            }
            this.fail("invalid number");
        }
        this.pos += match[0].length;
        const next = this.text[this.pos];
        if (next === "." || next === "e" || next === "E") {
            if (this.pos + 1 >= this.text.length) {
                this.end("inside a number");
            }
            this.fail("invalid number");
        }
    }

    private literal(word: string): void {
        const found = this.text.slice(this.pos, this.pos + word.length);
        if (found === word) {
            this.pos += word.length;
            return;
        }
        if (word.startsWith(found) && this.pos + found.length >= this.text.length) {
            this.end(`inside '${word}'`);
        }
        this.fail("unexpected character where a value was expected");
    }
}

/**
 * The JSON path (`$.a[0].b`) of the first node of a parsed value that lies `limit` levels deep, or
 * undefined when nothing nests that deeply. Walked without recursion: it is what names the place
 * when an input nests too deeply for the (recursive) readers.
 */
export function pathNestedDeeperThan(value: unknown, limit: number): string | undefined {
    interface Frame { readonly keys: readonly (string | number)[]; readonly node: unknown; next: number }
    const children = (node: unknown): (string | number)[] | undefined =>
        Array.isArray(node) ? node.map((_, index) => index) : typeof node === "object" && node !== null ? Object.keys(node) : undefined;
    const rootKeys = children(value);
    if (rootKeys === undefined) {
        return undefined;
    }
    const stack: Frame[] = [{ keys: rootKeys, node: value, next: 0 }];
    while (stack.length > 0) {
        const top = stack[stack.length - 1];
        if (top.next >= top.keys.length) {
            stack.pop();
            continue;
        }
        const key = top.keys[top.next++];
        const child = (top.node as Record<string | number, unknown>)[key];
        const keys = children(child);
        if (keys === undefined) {
            continue;
        }
        stack.push({ keys, node: child, next: 0 });
        if (stack.length >= limit) {
            let path = "$";
            for (let i = 0; i < stack.length - 1; i++) {
                const taken = stack[i].keys[stack[i].next - 1];
                path += typeof taken === "number" ? `[${taken}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(taken) ? `.${taken}` : `[${JSON.stringify(taken)}]`;
            }
            return path;
        }
    }
    return undefined;
}
