/**
 * Where HCL's longer lexical elements end: comments, quoted strings (with `\` escapes),
 * `${...}` / `%{...}` templates inside them (which may nest strings and braces), and heredocs.
 * The position scanner (`positions.ts`, over a whole `.tf` file) and the expression lexer
 * (`expressions.ts`, over hcl2json's template strings) both step over these without reading
 * them, and must agree on where each one stops.
 */

/** Whether a comment (`#`, `//` or `/*`) starts at `i`. */
export function isCommentStart(text: string, i: number): boolean {
    const c = text[i];
    return c === "#" || (c === "/" && (text[i + 1] === "/" || text[i + 1] === "*"));
}

/**
 * Index just past the comment that starts at `start`: a line comment stops before its line
 * break; a block comment ends past its `*\/`, or runs to the end of the text.
 */
export function commentEnd(text: string, start: number): number {
    if (text[start] === "/" && text[start + 1] === "*") {
        const end = text.indexOf("*/", start + 2);
        return end < 0 ? text.length : end + 2;
    }
    const eol = text.indexOf("\n", start);
    return eol < 0 ? text.length : eol;
}

export interface QuotedOptions {
    /**
     * Stop an unclosed quoted string at a raw line break. HCL rejects a line break there; the
     * file scanner stops at it so that the next line still scans.
     */
    readonly stopAtNewline?: boolean;
}

/**
 * Index just past the closing quote of the string that opens at `start`. On an unclosed string:
 * the end of the text (or the line break, with `stopAtNewline`); past the end of the text when
 * it ends inside an escape or an interpolation.
 */
export function quotedEnd(text: string, start: number, options: QuotedOptions = {}): number {
    let i = start + 1;
    while (i < text.length) {
        const c = text[i];
        if (c === "\\") {
            i += 2;
        } else if (c === "\"") {
            return i + 1;
        } else if ((c === "$" || c === "%") && text[i + 1] === c && text[i + 2] === "{") {
            i += 3; // `$${` / `%%{`: an escaped, literal `${` / `%{`
        } else if ((c === "$" || c === "%") && text[i + 1] === "{") {
            i = templateEnd(text, i + 2, options);
        } else if (c === "\n" && options.stopAtNewline) {
            return i;
        } else {
            i++;
        }
    }
    return i;
}

/**
 * Index just past the `}` that closes an interpolation or directive whose body starts at `start`
 * (nested strings and braces skipped). When it is never closed: `text.length + 1`, so that the
 * body is `text.slice(start, end - 1)` either way.
 */
export function templateEnd(text: string, start: number, options: QuotedOptions = {}): number {
    let depth = 0;
    let i = start;
    while (i < text.length) {
        const c = text[i];
        if (c === "\"") {
            i = quotedEnd(text, i, options);
            continue;
        }
        if (c === "{") {
            depth++;
        } else if (c === "}") {
            if (depth === 0) {
                return i + 1;
            }
            depth--;
        }
        i++;
    }
    return text.length + 1;
}

export interface HeredocHeader {
    readonly marker: string;
    /** `<<-EOT`: the body's common indentation is removed. */
    readonly indented: boolean;
    /** Index of the body's first character, past the header's line break. */
    readonly bodyStart: number;
}

const HEREDOC_HEADER = /<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/y;

/** The `<<EOT` / `<<-EOT` header of a heredoc opening at `start`, or undefined when `<<` opens none. */
export function heredocHeader(text: string, start: number): HeredocHeader | undefined {
    HEREDOC_HEADER.lastIndex = start;
    const match = HEREDOC_HEADER.exec(text);
    return match ? { marker: match[2], indented: match[1] === "-", bodyStart: start + match[0].length } : undefined;
}

/**
 * A heredoc's body lines (line breaks removed, `\r` kept) and the index just past its closing
 * marker (the marker alone on its line, indentation allowed), before that line's break. An
 * unclosed heredoc runs to the end of the text.
 */
export function heredocBody(text: string, bodyStart: number, marker: string): { readonly lines: string[]; readonly end: number } {
    const lines: string[] = [];
    let i = bodyStart;
    while (i < text.length) {
        const eol = text.indexOf("\n", i);
        const lineEnd = eol < 0 ? text.length : eol;
        const line = text.slice(i, lineEnd);
        if (line.trim() === marker) {
            return { lines, end: lineEnd };
        }
        lines.push(line);
        i = lineEnd + 1;
    }
    return { lines, end: text.length };
}
