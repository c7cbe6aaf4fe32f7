import { AwsSecurityFinding, BatchImportFindingsCommand, SecurityHubClient } from "@aws-sdk/client-securityhub";
import type { AsffFinding } from "../../report/asff";
import { AwsCredentials, clientOptionsFrom, createAwsClient } from "./client";
import { RetryCounters, RetryPolicy } from "./retry";

/**
 * Sends ASFF findings to AWS Security Hub with `BatchImportFindings`. Loaded only when
 * `--send-to-security-hub` is given (the SDK costs start-up time that `scan` never pays otherwise).
 *
 * Security Hub takes a finding only from the account it names (`AwsAccountId`), into the region
 * of its `ProductArn`; so findings are grouped by account and region, one client per region, and
 * each group is sent in batches within the API's limits (partner guide, "Guidelines for using
 * the BatchImportFindings API"): at most 100 findings and 6 MB per request, 240 KB per finding.
 * Throttling (10 requests per second per account and region) is retried with back-off by the
 * audit's bounded retry strategy. Findings AWS rejects come back in `FailedFindings` with a 200
 * and are reported one by one; a request that fails as a whole is reported with what it carried.
 */

const MAX_FINDINGS_PER_REQUEST = 100;
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
export const MAX_FINDING_BYTES = 240 * 1024;
/** Room for `{"Findings":[...]}` and the commas between findings. */
const ENVELOPE_BYTES = 1024;

/** One `BatchImportFindings` request's worth of findings, all of one account and region. */
export interface ImportBatch {
    readonly account: string;
    readonly region: string;
    readonly findings: readonly AsffFinding[];
    /** The JSON size of the findings (bytes). */
    readonly bytes: number;
}

/** What Security Hub answered about one finding it did not import (the SDK's `ImportFindingsError`). */
export interface FailedImport {
    readonly id: string;
    readonly errorCode: string;
    readonly errorMessage: string;
}

export interface BatchOutcome {
    readonly account: string;
    readonly region: string;
    /** 1-based, within the account and region. */
    readonly index: number;
    readonly of: number;
    readonly sent: number;
    readonly imported: number;
    readonly failed: readonly FailedImport[];
    /** The request failed as a whole (after retries): none of its findings is known to be imported. */
    readonly error?: string;
}

export interface ImportSummary {
    readonly findings: number;
    readonly imported: number;
    /** Findings Security Hub rejected, or that a failed request carried. */
    readonly notImported: number;
    readonly requests: number;
    readonly batches: readonly BatchOutcome[];
    readonly throttled: number;
    readonly retried: number;
}

export interface SecurityHubOptions {
    readonly profile?: string;
    readonly endpointUrl?: string;
    readonly credentials?: AwsCredentials;
    /**
     * The credentials to import an account's findings with, where they are not the caller's: with
     * the default product ARN, Security Hub takes a finding only from the account it names, so an
     * organization audit imports each account's findings with the role it assumed there.
     */
    readonly credentialsFor?: (account: string) => AwsCredentials | undefined;
    readonly retry?: Partial<RetryPolicy>;
    readonly requestTimeoutMs?: number;
    readonly connectionTimeoutMs?: number;
    /** Called after each request, in order. */
    readonly onBatch?: (outcome: BatchOutcome) => void;
    /** Builds the client of a region (tests); the options above are then not used for it. */
    readonly clientFactory?: (region: string, counters: RetryCounters) => SecurityHubClient;
}

/**
 * The findings in requests: grouped by account and region (in the order they first appear), each
 * group cut into batches of at most `maxFindings` findings and `maxBytes` bytes of JSON.
 */
export function importBatches(findings: readonly AsffFinding[], limits: { readonly maxFindings?: number; readonly maxBytes?: number } = {}): ImportBatch[] {
    const maxFindings = limits.maxFindings ?? MAX_FINDINGS_PER_REQUEST;
    const maxBytes = (limits.maxBytes ?? MAX_REQUEST_BYTES) - ENVELOPE_BYTES;
    const groups = new Map<string, AsffFinding[]>();
    for (const finding of findings) {
        const key = `${finding.AwsAccountId}/${regionOf(finding)}`;
        const group = groups.get(key);
        if (group === undefined) {
            groups.set(key, [finding]);
        } else {
            group.push(finding);
        }
    }
    const batches: ImportBatch[] = [];
    for (const group of groups.values()) {
        const account = group[0].AwsAccountId;
        const region = regionOf(group[0]);
        let current: AsffFinding[] = [];
        let bytes = 0;
        for (const finding of group) {
            const size = Buffer.byteLength(JSON.stringify(finding), "utf8") + 1;
            if (current.length > 0 && (current.length >= maxFindings || bytes + size > maxBytes)) {
                batches.push({ account, region, findings: current, bytes });
                current = [];
                bytes = 0;
            }
            current.push(finding);
            bytes += size;
        }
        if (current.length > 0) {
            batches.push({ account, region, findings: current, bytes });
        }
    }
    return batches;
}

/** The region a finding must be imported into: the one its ProductArn names. */
function regionOf(finding: Pick<AsffFinding, "ProductArn">): string {
    return finding.ProductArn.split(":")[3] ?? "";
}

/**
 * Imports the findings. Never throws for what AWS answers: every batch ends in an outcome (how
 * many were imported, which were rejected and why, or why the request failed). After a request
 * that AWS refused for the caller (access denied, Security Hub not enabled), the rest of that
 * account and region is not sent: it would be refused the same way.
 */
export async function sendToSecurityHub(findings: readonly AsffFinding[], options: SecurityHubOptions = {}): Promise<ImportSummary> {
    const batches = importBatches(findings);
    const counters: RetryCounters = { throttled: 0, retried: 0, exhausted: 0 };
    const outcomes: BatchOutcome[] = [];
    const clients = new Map<string, SecurityHubClient>();
    const refused = new Map<string, string>();
    const totals = new Map<string, number>();
    for (const batch of batches) {
        const key = `${batch.account}/${batch.region}`;
        totals.set(key, (totals.get(key) ?? 0) + 1);
    }
    const seen = new Map<string, number>();
    let requests = 0;
    try {
        for (const batch of batches) {
            const key = `${batch.account}/${batch.region}`;
            const index = (seen.get(key) ?? 0) + 1;
            seen.set(key, index);
            const common = { account: batch.account, region: batch.region, index, of: totals.get(key) ?? index, sent: batch.findings.length };
            const earlier = refused.get(key);
            let outcome: BatchOutcome;
            if (earlier !== undefined) {
                outcome = { ...common, imported: 0, failed: [], error: `not sent: ${earlier}` };
            } else {
                let client = clients.get(key);
                if (client === undefined) {
                    const credentials = options.credentialsFor?.(batch.account);
                    client = clientFor(batch.region, counters, credentials !== undefined ? { ...options, credentials } : options);
                    clients.set(key, client);
                }
                requests++;
                try {
                    const answer = await client.send(new BatchImportFindingsCommand({ Findings: batch.findings as unknown as AwsSecurityFinding[] }));
                    const failed = (answer.FailedFindings ?? []).map(item => ({
                        id: item.Id ?? "(no id)",
                        errorCode: item.ErrorCode ?? "(no code)",
                        errorMessage: item.ErrorMessage ?? "",
                    }));
                    outcome = { ...common, imported: answer.SuccessCount ?? batch.findings.length - failed.length, failed };
                } catch (error) {
                    const message = describeError(error);
                    if (refusesCaller(error)) {
                        refused.set(key, message);
                    }
                    outcome = { ...common, imported: 0, failed: [], error: message };
                }
            }
            outcomes.push(outcome);
            options.onBatch?.(outcome);
        }
    } finally {
        for (const client of clients.values()) {
            client.destroy();
        }
    }
    const imported = outcomes.reduce((sum, outcome) => sum + outcome.imported, 0);
    return {
        findings: findings.length,
        imported,
        notImported: findings.length - imported,
        requests,
        batches: outcomes,
        throttled: counters.throttled,
        retried: counters.retried,
    };
}

function clientFor(region: string, counters: RetryCounters, options: SecurityHubOptions): SecurityHubClient {
    if (options.clientFactory) {
        return options.clientFactory(region, counters);
    }
    return createAwsClient(SecurityHubClient, clientOptionsFrom(region, counters, options));
}

/** Errors that every further request of the same caller would get too. */
function refusesCaller(error: unknown): boolean {
    const name = error instanceof Error ? error.name : "";
    const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
    return name === "AccessDeniedException" || name === "InvalidAccessException" || name === "UnrecognizedClientException" ||
        name === "CredentialsProviderError" || status === 401 || status === 403;
}

/** The error's class and message on one line, bounded (AWS messages name the caller's role, never a finding's content). */
function describeError(error: unknown): string {
    if (!(error instanceof Error)) {
        return "the request failed";
    }
    const message = error.message.replace(/\s+/g, " ").trim();
    const text = message !== "" && message !== error.name ? `${error.name}: ${message}` : error.name;
    return text.length > 400 ? `${text.slice(0, 399)}\u2026` : text;
}
