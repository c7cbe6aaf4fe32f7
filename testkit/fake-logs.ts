import { IncomingMessage, ServerResponse } from "node:http";
import { DEFAULT_FAKE_ACCOUNT, FakeCall } from "./fake-aws";
import { decodePageToken, encodePageToken, readBody } from "./local-server";

/**
 * A local stand-in for CloudWatch Logs' `DescribeLogGroups`, mounted behind `FakeAws` (signing
 * service `logs`), in the wire format the AWS SDK v3 speaks: awsJson1_1, `POST /` with
 * `X-Amz-Target: Logs_20140328.<Operation>`, a JSON body (`{logGroupNamePrefix, nextToken,
 * limit}`), answers `{logGroups, nextToken}` with groups ASCII-sorted by name as AWS sorts them,
 * and errors as HTTP 400 `{"__type", "message"}`. Data is held per account and region.
 */

export interface FakeLogGroup {
    readonly logGroupName: string;
    /** Absent: the group never expires its events. */
    readonly retentionInDays?: number;
    readonly kmsKeyId?: string;
}

/** Log groups by account id, then region. */
export type FakeLogAccounts = Readonly<Record<string, Readonly<Record<string, readonly FakeLogGroup[]>>>>;

export interface FakeLogsFaults {
    /** The server never serves more groups per page than this, whatever `limit` asks. */
    maxPageSize?: number;
    /** The first N requests are throttled (HTTP 400 `ThrottlingException`, as CloudWatch Logs answers). */
    throttleFirst?: number;
    /** Operations (e.g. `DescribeLogGroups`) answered with AccessDeniedException. */
    denyOperations?: readonly string[];
    /** Prefixes asked for that are answered with a 500 `ServiceUnavailableException`. */
    failPrefixes?: readonly RegExp[];
}

export interface RecordedLogsRequest {
    /** The operation named by `X-Amz-Target`. */
    readonly operation: string;
    readonly body: Readonly<Record<string, unknown>>;
    readonly region: string | undefined;
    readonly account: string;
    status: number;
}

const TARGET_PREFIX = "Logs_20140328.";
const MAX_LIMIT = 50;
const CREATED_MS = Date.parse("2026-01-01T00:00:00Z");

export class FakeLogs {
    readonly requests: RecordedLogsRequest[] = [];
    /** Every response body sent, for leak checks. */
    readonly sentBodies: string[] = [];
    private served = 0;

    constructor(readonly accounts: FakeLogAccounts, public faults: FakeLogsFaults = {}) {}

    /** The prefixes `DescribeLogGroups` was asked for, in order. */
    prefixes(): string[] {
        return this.requests.filter(r => r.operation === "DescribeLogGroups").map(r => String(r.body.logGroupNamePrefix));
    }

    async serve(request: IncomingMessage, response: ServerResponse, call?: FakeCall): Promise<void> {
        const account = call?.account ?? DEFAULT_FAKE_ACCOUNT;
        const region = call?.region;
        const target = String(request.headers["x-amz-target"] ?? "");
        const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
        const text = await readBody(request);
        this.served++;
        let body: Record<string, unknown> = {};
        const recorded: RecordedLogsRequest = { operation, body, region, account, status: 0 };
        this.requests.push(recorded);
        const send = (status: number, payload: unknown) => {
            recorded.status = status;
            const json = JSON.stringify(payload);
            this.sentBodies.push(json);
            response.writeHead(status, {
                "Content-Type": "application/x-amz-json-1.1",
                "Content-Length": Buffer.byteLength(json),
                "x-amzn-RequestId": `logs-req-${this.served}`,
            });
            response.end(json);
        };
        const error = (status: number, type: string, message: string) => send(status, { __type: type, message });
        try {
            const parsed: unknown = text === "" ? {} : JSON.parse(text);
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
                return error(400, "SerializationException", "the body is not a JSON object");
            }
            body = parsed as Record<string, unknown>;
            (recorded as { body: Record<string, unknown> }).body = body;
        } catch {
            return error(400, "SerializationException", "the body is not JSON");
        }
        if (request.method !== "POST" || !target.startsWith(TARGET_PREFIX)) {
            return error(400, "UnknownOperationException", "not a CloudWatch Logs request");
        }
        if (this.faults.throttleFirst !== undefined && this.served <= this.faults.throttleFirst) {
            return error(400, "ThrottlingException", "Rate exceeded");
        }
        if (this.faults.denyOperations?.includes(operation)) {
            return error(400, "AccessDeniedException", `User: arn:aws:iam::${account}:user/auditor is not authorized to perform: logs:${operation} on resource: arn:aws:logs:${region ?? "?"}:${account}:log-group::log-stream:`);
        }
        if (operation !== "DescribeLogGroups") {
            // The audit only reads: any other operation is a mistake worth failing loudly on.
            return error(400, "UnknownOperationException", `the fake serves DescribeLogGroups only, not ${operation}`);
        }
        const { logGroupNamePrefix: prefix, nextToken, limit } = body;
        if (prefix !== undefined && (typeof prefix !== "string" || prefix === "")) {
            return error(400, "InvalidParameterException", "1 validation error detected: logGroupNamePrefix");
        }
        if (limit !== undefined && (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)) {
            return error(400, "InvalidParameterException", `1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${MAX_LIMIT}`);
        }
        if (typeof prefix === "string" && this.faults.failPrefixes?.some(pattern => pattern.test(prefix))) {
            return error(500, "ServiceUnavailableException", "The service cannot complete the request.");
        }
        const groups = [...((region !== undefined ? this.accounts[account]?.[region] : undefined) ?? [])]
            .filter(group => typeof prefix !== "string" || group.logGroupName.startsWith(prefix))
            .sort((a, b) => (a.logGroupName < b.logGroupName ? -1 : a.logGroupName > b.logGroupName ? 1 : 0));
        const size = Math.min(typeof limit === "number" ? limit : MAX_LIMIT, this.faults.maxPageSize ?? MAX_LIMIT);
        const offset = typeof nextToken === "string" ? decodePageToken(nextToken) : 0;
        const next = offset + size;
        send(200, {
            logGroups: groups.slice(offset, next).map(group => groupBody(group, account, region ?? "us-east-1")),
            ...(next < groups.length ? { nextToken: encodePageToken(next) } : {}),
        });
    }
}

function groupBody(group: FakeLogGroup, account: string, region: string): object {
    const arn = `arn:aws:logs:${region}:${account}:log-group:${group.logGroupName}`;
    return {
        logGroupName: group.logGroupName,
        creationTime: CREATED_MS,
        ...(group.retentionInDays !== undefined ? { retentionInDays: group.retentionInDays } : {}),
        metricFilterCount: 0,
        arn: `${arn}:*`,
        storedBytes: 0,
        ...(group.kmsKeyId !== undefined ? { kmsKeyId: group.kmsKeyId } : {}),
        logGroupClass: "STANDARD",
        logGroupArn: arn,
    };
}



