import { promises as fs } from "fs";
import { ACCOUNT_ID_PATTERN } from "../sources/aws/arn";
import { fileSystemProblem, UsageError } from "./errors";

/** A value of only digits, commas and blanks is a list; anything else names a file. */
const LIST = /^[\d,\s]+$/;

/**
 * `--accounts FILE|LIST`: 12-digit account ids, comma-separated on the command line, or in a
 * file one or more a line (commas allowed), `#` starting a comment. A bad entry is a usage error
 * naming it (and its line in a file); duplicates count once, in the order first written.
 */
export async function readAccounts(value: string): Promise<string[]> {
    if (LIST.test(value)) {
        return parseAccounts(value, undefined);
    }
    let text: string;
    try {
        text = await fs.readFile(value, "utf8");
    } catch (error) {
        throw new UsageError(`--accounts: ${fileSystemProblem(error)}`, value);
    }
    return parseAccounts(text, value);
}

/** The ids of `text`; `file` (when it is a file) names where a bad entry is. */
function parseAccounts(text: string, file: string | undefined): string[] {
    const accounts: string[] = [];
    const lines = file !== undefined ? text.split(/\r?\n/) : [text];
    lines.forEach((raw, index) => {
        const line = raw.replace(/#.*$/, "");
        for (const entry of line.split(",").map(part => part.trim()).filter(part => part !== "")) {
            if (!ACCOUNT_ID_PATTERN.test(entry)) {
                const shown = entry.length > 40 ? `${entry.slice(0, 40)}…` : entry;
                throw new UsageError(`--accounts: '${shown}' is not an AWS account id (12 digits)`, file, file !== undefined ? index + 1 : undefined);
            }
            if (!accounts.includes(entry)) {
                accounts.push(entry);
            }
        }
    });
    if (accounts.length === 0) {
        throw new UsageError("--accounts: no account id given", file);
    }
    return accounts;
}
