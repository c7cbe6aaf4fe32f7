import * as http from "http";
import * as https from "https";

/**
 * One HTTP exchange with node:http(s), deliberately low-level: redirects are never followed (the
 * 3xx itself is the answer to judge), every request gets its own connection and a hard deadline
 * that covers connect, headers and body, and at most {@link MAX_BODY_BYTES} of the body are read.
 */

export interface ProbeRequest {
    readonly url: URL;
    readonly method: string;
    readonly headers: Readonly<Record<string, string>>;
}

export interface ProbeAnswer {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    /** The first {@link MAX_BODY_BYTES} bytes of the body, as UTF-8. */
    readonly body: string;
}

export type ExchangeResult =
    | { readonly ok: true; readonly answer: ProbeAnswer }
    | {
        readonly ok: false;
        /** What went wrong, from error codes alone (never a header or body). */
        readonly reason: string;
        /** The host itself is unreachable (refused, not found, TLS): later requests would fail the same way. */
        readonly hostUnreachable: boolean;
    };

/** An API Gateway error body is tiny; a large body is never needed to judge an answer. */
export const MAX_BODY_BYTES = 16 * 1024;

const HOST_UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

export function exchange(request: ProbeRequest, timeoutMs: number): Promise<ExchangeResult> {
    return new Promise<ExchangeResult>(resolve => {
        let settled = false;
        let deadline: NodeJS.Timeout | undefined;
        let outgoing: http.ClientRequest | undefined;
        const chunks: Buffer[] = [];
        let received = 0;
        const settle = (result: ExchangeResult): void => {
            if (settled) {
                return;
            }
            settled = true;
            clearTimeout(deadline);
            outgoing?.destroy();
            resolve(result);
        };
        const onAnswer = (incoming: http.IncomingMessage): void => {
            const finish = (): void => settle({
                ok: true,
                answer: { status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks).toString("utf8") },
            });
            incoming.on("data", (chunk: Buffer) => {
                if (received >= MAX_BODY_BYTES) {
                    return;
                }
                const room = MAX_BODY_BYTES - received;
                chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
                received += Math.min(chunk.length, room);
                if (received >= MAX_BODY_BYTES) {
                    finish();
                }
            });
            incoming.on("end", finish);
            incoming.on("error", error => settle(failure(error, request.url)));
            incoming.on("aborted", () => settle({ ok: false, reason: "the connection closed before the answer was complete", hostUnreachable: false }));
        };
        deadline = setTimeout(() => settle({ ok: false, reason: `timed out after ${timeoutMs} ms`, hostUnreachable: false }), timeoutMs);
        try {
            const transport = request.url.protocol === "https:" ? https : http;
            outgoing = transport.request(request.url, {
                method: request.method,
                headers: { ...request.headers, ...(needsEmptyBody(request.method) ? { "content-length": "0" } : {}) },
                // A fresh connection per request: no pooled socket outlives the run or carries state between checks.
                agent: false,
            }, onAnswer);
            outgoing.on("error", error => settle(failure(error, request.url)));
            outgoing.end();
        } catch (error) {
            // e.g. ERR_INVALID_CHAR for a header value that cannot be sent; thrown before any I/O.
            settle(failure(error, request.url));
        }
    });
}

function needsEmptyBody(method: string): boolean {
    return method === "POST" || method === "PUT" || method === "PATCH";
}

function failure(error: unknown, url: URL): ExchangeResult {
    const code = errorCode(error);
    const where = url.host;
    if (code === "ECONNREFUSED") {
        return { ok: false, reason: `connection refused by ${where}`, hostUnreachable: true };
    }
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
        return { ok: false, reason: `host name ${url.hostname} not found (${code})`, hostUnreachable: true };
    }
    if (code !== undefined && HOST_UNREACHABLE_CODES.has(code)) {
        return { ok: false, reason: `${where} is unreachable (${code})`, hostUnreachable: true };
    }
    if (code === "ECONNRESET" || code === "EPIPE") {
        return { ok: false, reason: `connection reset by ${where} (${code})`, hostUnreachable: false };
    }
    if (code === "ETIMEDOUT") {
        return { ok: false, reason: `connection to ${where} timed out (ETIMEDOUT)`, hostUnreachable: true };
    }
    if (code !== undefined && (code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") || /CERT|SELF_SIGNED|UNABLE_TO_/.test(code))) {
        return { ok: false, reason: `TLS handshake with ${where} failed (${code})`, hostUnreachable: true };
    }
    if (code === "HPE_INVALID_CONSTANT" || (code !== undefined && code.startsWith("HPE_"))) {
        return { ok: false, reason: `${where} sent an answer that is not valid HTTP (${code})`, hostUnreachable: false };
    }
    // Only the code: a message could quote a header value, and headers carry the key.
    return { ok: false, reason: `request failed (${code ?? (error instanceof Error ? error.name : "error")})`, hostUnreachable: false };
}

function errorCode(error: unknown): string | undefined {
    const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
    return typeof code === "string" ? code : undefined;
}
