import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describeErrors, validateReport } from "../report/schemas";

/** The repository root (tests run from dist/test/cli). */
export const ROOT = path.resolve(__dirname, "..", "..", "..");
/** The built binary, run exactly as `npx apigw-guard` would. */
export const CLI = path.join(ROOT, "dist", "cli", "main.js");
export const FIXTURES = path.join(ROOT, "test", "fixtures", "cli");
/** Where the Terraform front end's example infrastructure lives (same infra in four forms). */
export const EXAMPLE_INFRA = path.join(ROOT, "test", "fixtures", "example-infra");
export const STACK_EXPORT = path.join(FIXTURES, "stack-export.json");
export const NOW = "2026-06-01T00:00:00Z";
export const ANSI_ESCAPE = "\u001b[";

export interface CliRun {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface RunOptions {
    readonly input?: string;
    readonly env?: Readonly<Record<string, string | undefined>>;
    readonly cwd?: string;
    /** A command the CLI runs under, e.g. `setpriv ...` to run it as another user. */
    readonly wrapper?: readonly string[];
}

/** Variables that change the CLI's output; removed so the tests do not depend on the caller's shell. */
const AMBIENT = ["NO_COLOR", "FORCE_COLOR", "APIGW_GUARD_NOW", "APIGW_GUARD_DEBUG"];

export function cleanEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of AMBIENT) {
        delete env[name];
    }
    for (const [name, value] of Object.entries(extra)) {
        if (value === undefined) {
            delete env[name];
        } else {
            env[name] = value;
        }
    }
    return env;
}

export function runCli(args: readonly string[], options: RunOptions = {}): CliRun {
    assert.ok(existsSync(CLI), `build first: ${CLI} is missing`);
    const [command, ...prefix] = [...(options.wrapper ?? []), process.execPath];
    const result = spawnSync(command, [...prefix, CLI, ...args], {
        cwd: options.cwd ?? ROOT,
        input: options.input ?? "",
        env: cleanEnv(options.env),
        encoding: "utf8",
        timeout: 60_000,
    });
    if (result.error) {
        throw result.error;
    }
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * How to run the CLI as a user who cannot read a file of mode 000: as is when the tests do not
 * run as root; as root (who reads every file whatever its mode) under `setpriv` or `runuser` to
 * `nobody`, when that works and `nobody` can run the compiled CLI. Otherwise why it cannot.
 */
export function unprivilegedRunner(): { readonly wrapper: readonly string[]; readonly env: Readonly<Record<string, string>> } | { readonly unavailable: string } {
    // Under c8 the CLI would write its coverage into the root-owned coverage directory, which the
    // other user may not: it runs without coverage (its code is covered by the other CLI tests).
    // Empty, not removed: Node copies the parent's NODE_V8_COVERAGE into a child's env without it.
    const env = { NODE_V8_COVERAGE: "" };
    if (process.getuid?.() !== 0) {
        return { wrapper: [], env };
    }
    const candidates: ReadonlyArray<readonly string[]> = [
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"],
        ["runuser", "-u", "nobody", "--"],
    ];
    const failures: string[] = [];
    for (const wrapper of candidates) {
        const probe = spawnSync(wrapper[0], [...wrapper.slice(1), process.execPath, CLI, "--version"], { cwd: ROOT, env: cleanEnv(env), encoding: "utf8", timeout: 60_000 });
        if (probe.error === undefined && probe.status === 0) {
            return { wrapper, env };
        }
        const lines = probe.stderr.split("\n").map(line => line.trim()).filter(line => line !== "");
        const why = probe.error !== undefined
            ? probe.error.message
            : lines.find(line => /error|denied|not permitted/i.test(line)) ?? lines[0] ?? `exit status ${String(probe.status)}`;
        failures.push(`${wrapper[0]}: ${why}`);
    }
    return { unavailable: `the tests run as root, who reads every file whatever its mode, and the CLI could not be run as nobody (${failures.join("; ")})` };
}

/** `scan` with a pinned clock, so age findings do not change with the date. */
export function scan(args: readonly string[], options: RunOptions = {}): CliRun {
    return runCli(["scan", "--now", NOW, ...args], options);
}

/** A scratch directory, removed by `cleanup`. */
export class Scratch {
    readonly dir = mkdtempSync(path.join(tmpdir(), "apigw-guard-cli-"));

    file(name: string, content: string | object): string {
        const target = path.join(this.dir, name);
        writeFileSync(target, typeof content === "string" ? content : JSON.stringify(content, null, 2));
        return target;
    }

    path(name: string): string {
        return path.join(this.dir, name);
    }

    cleanup(): void {
        rmSync(this.dir, { recursive: true, force: true });
    }
}

export function readJson(file: string): unknown {
    return JSON.parse(readFileSync(file, "utf8"));
}

/** The stack-export fixture as an object to vary per test. */
export function stackExport(): StackExportDoc {
    return readJson(STACK_EXPORT) as StackExportDoc;
}

export interface StackExportResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    delete?: boolean;
    propertyDependencies?: Record<string, string[]>;
}

export interface StackExportDoc {
    version: number;
    deployment: { resources: StackExportResource[] };
}

export function resourceNamed(doc: StackExportDoc, name: string, type?: string): StackExportResource {
    const found = doc.deployment.resources.find(r => r.urn.endsWith(`::${name}`) && r.delete !== true && (type === undefined || r.type === type));
    assert.ok(found, `fixture has no resource '${name}'`);
    return found;
}

/** The fixture with every mandatory failure fixed (advisory warnings remain). */
export function cleanStackExport(): StackExportDoc {
    const doc = stackExport();
    const post = resourceNamed(doc, "post-orders");
    post.outputs = { ...post.outputs, apiKeyRequired: true };
    const old = resourceNamed(doc, "client-old", "aws:apigateway/apiKey:ApiKey");
    old.outputs = { ...old.outputs, createdDate: "2026-05-15T00:00:00Z" };
    // pulumi-aws copies the key value onto the attachment in plain text; a stack whose
    // attachments were made another way does not carry it.
    for (const attachment of doc.deployment.resources.filter(r => r.type === "aws:apigateway/usagePlanKey:UsagePlanKey")) {
        delete attachment.outputs?.value;
    }
    return doc;
}

/** Every stderr line is one `apigw-guard: ...` line; no stack trace. */
export function assertCleanErrors(run: CliRun): string[] {
    assert.ok(!run.stderr.includes("    at "), `stack trace on stderr:\n${run.stderr}`);
    assert.ok(!run.stdout.includes("    at "), `stack trace on stdout:\n${run.stdout}`);
    const lines = run.stderr.split("\n").filter(line => line !== "");
    for (const line of lines) {
        assert.match(line, /^apigw-guard: /, `unexpected stderr line: ${line}`);
    }
    return lines;
}

/** The JSON report, as the tests read it. */
export interface JsonReport {
    reportVersion: number;
    tool: { name: string; version: string };
    generatedAt: string;
    inputs: Array<{ file: string; kind: string; entities?: number; gaps?: Array<{ ref?: string; message: string }>; errors?: Array<{ message: string; line?: number; file?: string }> }>;
    rules: Array<{ id: string; enforcementLevel: string }>;
    findings: Array<{
        ruleId: string;
        status: string;
        enforcementLevel: string;
        message: string;
        input: string;
        line?: number;
        entity?: { ref: string; kind: string; name: string; provenance: { urn?: string; address?: string; file?: string; line?: number } };
    }>;
    summary: {
        inputs: { total: number; complete: number; withErrors: number };
        findings: { total: number; fail: number; unknown: number; pass: number; "not-applicable": number };
        failures: { mandatory: number; advisory: number };
        gate: { failOn: string; blocking: number };
    };
}

/** Parse a JSON report, and hold it to the published schema: every report a test reads is validated. */
export function parseReport(text: string): JsonReport {
    const report = JSON.parse(text) as unknown;
    const errors = validateReport(report);
    if (errors.length > 0) {
        throw new Error(`the JSON report does not match schemas/report.schema.json: ${describeErrors(errors)}`);
    }
    return report as JsonReport;
}
