import { Command } from "commander";
import { AsffError, asffFindings, AsffFinding, AsffOptions, checkAsffOptions } from "../report/asff";
import type { Report } from "../report/model";
// The AWS SDK is loaded only when findings are sent: `scan` without the flag never pays for it.
import type { BatchOutcome, SecurityHubOptions } from "../sources/aws/security-hub";
import { CliIO } from "./command";
import { errorLine, UsageError } from "./errors";

/**
 * The Security Hub flags that `scan` and `audit` share: the account (and, for `scan`, the region)
 * of findings that name none, whether passes are written, and `--send-to-security-hub`.
 */
export interface SecurityHubFlags {
    accountId?: string;
    /** `scan` only (the audit's `--region` lists the regions it reads; its findings name theirs). */
    asffRegion?: string;
    asffIncludePassed?: boolean;
    sendToSecurityHub?: boolean;
}

export const SECURITY_HUB_HELP = `
AWS Security Hub (docs/security-hub.md):
  --format asff writes the failed and unknown findings in the AWS Security Finding Format (with
  --asff-include-passed, passed ones too, archived: re-importing them closes what was fixed).
  --send-to-security-hub imports them with BatchImportFindings (batches of 100, retried when
  throttled) into each finding's account and region; it needs securityhub:BatchImportFindings.
  Each finding's Id is its rule, resource, account and region: a re-import updates, never
  duplicates. Findings that AWS rejects are listed on stderr, and the run exits 2.
`;

/** Adds `--account-id`, `--asff-include-passed` and `--send-to-security-hub` (and, with `region`, `--region`). */
export function addSecurityHubOptions(command: Command, options: { readonly region: boolean }): Command {
    command.option("--account-id <id>", "AWS account id (12 digits) of findings that name none, for --format asff and --send-to-security-hub");
    if (options.region) {
        command.option("--region <region>", "AWS region of findings that name none, for --format asff and --send-to-security-hub");
    }
    return command
        .option("--asff-include-passed", "also write passed findings in ASFF (archived, so re-imports close resolved findings)")
        .option("--send-to-security-hub", "import the ASFF findings into AWS Security Hub (BatchImportFindings)");
}

/** The reporter's ASFF options from the flags; a `UsageError` for a malformed account or region. */
export function asffOptionsOf(flags: SecurityHubFlags): AsffOptions {
    const options: AsffOptions = {
        ...(flags.accountId !== undefined ? { account: flags.accountId } : {}),
        ...(flags.asffRegion !== undefined ? { region: flags.asffRegion } : {}),
        ...(flags.asffIncludePassed === true ? { includePassed: true } : {}),
    };
    asUsageError(() => checkAsffOptions(options));
    return options;
}

/**
 * The ASFF findings of a report, before any report is written: a finding with no account or
 * region is a `UsageError` (exit 2) naming the flag to pass, never an invented id.
 */
export function asffOf(report: Report, options: AsffOptions): AsffFinding[] {
    return asUsageError(() => asffFindings(report, options));
}

/** An `AsffError` is bad usage of the command's flags (exit 2). */
function asUsageError<T>(run: () => T): T {
    try {
        return run();
    } catch (error) {
        if (error instanceof AsffError) {
            throw new UsageError(error.message);
        }
        throw error;
    }
}

/**
 * Imports the findings and tells how it went on stderr: each rejected finding (its Id, AWS's error
 * code and message), each failed request, and a summary line. Returns false when any finding was
 * not imported: a finding missing from Security Hub is one nobody triages, so the run must not
 * pass for complete (the caller exits 2, as for an input that could not be read).
 */
export async function importIntoSecurityHub(findings: readonly AsffFinding[], options: SecurityHubOptions, io: CliIO): Promise<boolean> {
    // The SDK announces its future Node.js floor on stderr; a CLI's stderr carries only its own lines.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const { sendToSecurityHub } = await import("../sources/aws/security-hub");
    const report = (outcome: BatchOutcome): void => {
        const where = `Security Hub ${outcome.account} ${outcome.region}, request ${outcome.index} of ${outcome.of}`;
        if (outcome.error !== undefined) {
            io.stderr.write(errorLine(undefined, undefined, `${where}: ${outcome.sent} findings not imported: ${outcome.error}`));
            return;
        }
        if (outcome.failed.length > 0) {
            io.stderr.write(errorLine(undefined, undefined, `${where}: ${outcome.failed.length} of ${outcome.sent} findings not imported`));
            for (const failed of outcome.failed) {
                io.stderr.write(errorLine(undefined, undefined, `  ${failed.id}: ${failed.errorCode}: ${failed.errorMessage.slice(0, 400)}`));
            }
        }
    };
    const summary = await sendToSecurityHub(findings, { ...options, onBatch: report });
    const throttled = summary.throttled > 0 ? `; throttled ${summary.throttled} times, retried` : "";
    const line = summary.findings === 0
        ? "Security Hub: no findings to import"
        : `Security Hub: imported ${summary.imported} of ${summary.findings} findings in ${summary.requests} request${summary.requests === 1 ? "" : "s"}${summary.notImported > 0 ? ` (${summary.notImported} not imported)` : ""}${throttled}`;
    io.stderr.write(errorLine(undefined, undefined, line));
    return summary.notImported === 0;
}
