import { IncomingMessage, Server } from "node:http";
import { AddressInfo } from "node:net";

/**
 * What every fake server of the testkit does to live: listen on 127.0.0.1 at a free port, say its
 * URL, and close with its keep-alive connections (an SDK client's sockets would otherwise hold
 * the test process open). And what the fakes share in their answers: the opaque page token, the
 * restJson1 answer shape and API Gateway's not-found.
 */

/** Listens on 127.0.0.1 at a free port; returns the URL. */
export async function listenLocally(server: Server): Promise<string> {
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    return urlOf(server, "the server");
}

/** `http://127.0.0.1:<port>` of a listening server; `what` names it when it is not listening. */
export function urlOf(server: Server | undefined, what: string): string {
    const address = server?.address() as AddressInfo | null | undefined;
    if (!address) {
        throw new Error(`${what} is not listening`);
    }
    return `http://127.0.0.1:${address.port}`;
}

/** Closes the server and every connection it holds; nothing when it is not there. */
export async function closeServer(server: Server | undefined): Promise<void> {
    if (server) {
        server.closeAllConnections();
        await new Promise<void>(resolve => server.close(() => resolve()));
    }
}

/** An opaque page token (API Gateway's `position`, v2's and Logs' `nextToken`) for an offset. */
export function encodePageToken(offset: number): string {
    return Buffer.from(JSON.stringify({ o: offset })).toString("base64");
}

/** The offset of a page token; 0 for one that is not ours (as AWS restarts a listing it cannot read). */
export function decodePageToken(token: string): number {
    try {
        const parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { o?: unknown };
        return typeof parsed.o === "number" && parsed.o >= 0 ? parsed.o : 0;
    } catch {
        return 0;
    }
}

/** A fake's answer to a restJson1 request: a body, or an error type and message. */
export interface Routed {
    readonly status: number;
    readonly body?: unknown;
    readonly error?: string;
    readonly message?: string;
}

/** API Gateway's (v1 and v2) answer for something that does not exist. */
export function notFound(message: string): Routed {
    return { status: 404, error: "NotFoundException", message };
}

/** A request's whole body, as text. */
export async function readBody(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
        chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    }
    return Buffer.concat(chunks).toString("utf8");
}
