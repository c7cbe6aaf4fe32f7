/**
 * A strict CSV reader for API key files. Fields are separated by commas; a field may be quoted
 * with double quotes (RFC 4180, `""` for a literal quote) or, as the API Gateway key format also
 * allows, with single quotes (`''` for a literal one). Problems are reported by line and column,
 * never with the field's content: a misplaced column could hold a key value.
 */
export interface CsvRecord {
    /** 1-based line the record starts on. */
    readonly line: number;
    readonly fields: readonly string[];
}

export interface CsvProblem {
    readonly line: number;
    readonly message: string;
}

export interface CsvParseResult {
    readonly records: readonly CsvRecord[];
    readonly problems: readonly CsvProblem[];
}

export function parseCsv(text: string): CsvParseResult {
    const records: CsvRecord[] = [];
    const problems: CsvProblem[] = [];
    const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
    let i = 0;
    let line = 1;

    while (i < source.length) {
        const recordLine = line;
        const fields: string[] = [];
        let failed: string | undefined;
        let quoted = false;
        // One record: fields until an unquoted newline or the end of input.
        for (;;) {
            const column = fields.length + 1;
            const quote = source[i] === "\"" || source[i] === "'" ? source[i] : undefined;
            let value = "";
            if (quote) {
                quoted = true;
                const quoteLine = line;
                i++;
                let closed = false;
                while (i < source.length) {
                    const c = source[i];
                    if (c === quote) {
                        if (source[i + 1] === quote) {
                            value += quote;
                            i += 2;
                            continue;
                        }
                        i++;
                        closed = true;
                        break;
                    }
                    if (c === "\n") {
                        line++;
                    }
                    value += c;
                    i++;
                }
                if (!closed) {
                    failed = `column ${column}: the quoted field opened on line ${quoteLine} is never closed`;
                    break;
                }
                const next = source[i];
                if (next !== undefined && next !== "," && next !== "\n" && !(next === "\r" && source[i + 1] === "\n")) {
                    failed = `column ${column}: unexpected character after a closing quote (quote the whole field, doubling quotes inside it)`;
                    break;
                }
            } else {
                while (i < source.length && source[i] !== "," && source[i] !== "\n" && !(source[i] === "\r" && source[i + 1] === "\n")) {
                    if (source[i] === "\"") {
                        failed = `column ${column}: a double quote inside an unquoted field (quote the whole field, doubling quotes inside it)`;
                        break;
                    }
                    value += source[i];
                    i++;
                }
                if (failed) {
                    break;
                }
            }
            fields.push(value);
            if (source[i] === ",") {
                i++;
                continue;
            }
            break;
        }
        if (failed) {
            problems.push({ line: recordLine, message: failed });
            // Resynchronise on the next physical line.
            while (i < source.length && source[i] !== "\n") {
                i++;
            }
        }
        if (source[i] === "\r") {
            i++;
        }
        if (source[i] === "\n") {
            i++;
            line++;
        }
        const blank = !quoted && fields.length === 1 && fields[0].trim() === "";
        if (!failed && !blank) {
            records.push({ line: recordLine, fields });
        }
    }
    return { records, problems };
}
