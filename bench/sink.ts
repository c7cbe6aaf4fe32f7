import { createHash, Hash } from "crypto";
import * as fs from "fs";

/**
 * Where generated text goes. Writers emit many small strings; a sink batches them, so a 300k
 * resource file is written in a few hundred large writes and never held in memory whole.
 */
export interface TextSink {
    write(text: string): void;
}

/** Batches writes into ~4 MB chunks written synchronously to a file; hashes what it writes. */
export class FileSink implements TextSink {
    private readonly fd: number;
    private pending: string[] = [];
    private pendingLength = 0;
    private readonly hash: Hash = createHash("sha256");
    private written = 0;
    private closed = false;

    constructor(readonly file: string, private readonly chunkChars = 4 * 1024 * 1024) {
        this.fd = fs.openSync(file, "w");
    }

    write(text: string): void {
        this.pending.push(text);
        this.pendingLength += text.length;
        if (this.pendingLength >= this.chunkChars) {
            this.flush();
        }
    }

    private flush(): void {
        if (this.pending.length === 0) {
            return;
        }
        const buffer = Buffer.from(this.pending.join(""), "utf8");
        this.pending = [];
        this.pendingLength = 0;
        this.hash.update(buffer);
        let offset = 0;
        while (offset < buffer.length) {
            offset += fs.writeSync(this.fd, buffer, offset, buffer.length - offset);
        }
        this.written += buffer.length;
    }

    /** Flushes and closes; returns the byte count and the SHA-256 of the content. */
    close(): { bytes: number; sha256: string } {
        if (!this.closed) {
            this.flush();
            fs.closeSync(this.fd);
            this.closed = true;
        }
        return { bytes: this.written, sha256: this.hash.digest("hex") };
    }
}

/** Collects the text in memory (small sizes, tests). */
export class StringSink implements TextSink {
    private readonly parts: string[] = [];

    write(text: string): void {
        this.parts.push(text);
    }

    text(): string {
        return this.parts.join("");
    }
}

export function sha256(text: string): string {
    return createHash("sha256").update(text, "utf8").digest("hex");
}
