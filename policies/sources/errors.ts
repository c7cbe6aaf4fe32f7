/**
 * An input a source adapter cannot read (malformed file, unsupported format version, HCL syntax
 * error). Front ends print it as one line, `<file>[:line]: <message>`, so the message names what
 * is wrong and where, and never quotes a value from the input (it may be a key value).
 */
export class SourceError extends Error {
    constructor(message: string, readonly file?: string, readonly line?: number) {
        super(message);
        this.name = "SourceError";
    }
}
