import assert from "node:assert/strict";
import { assertNoLeak } from "../../testkit/leaks";
import { main } from "../../cli/main";
import { describeUnexpected, errorLine, fileSystemProblem, oneLine } from "../../cli/errors";
import { detectKind } from "../../cli/inputs";
import { lineAndColumn, locateJsonSyntaxError, parseJsonText } from "../../sources/json-text";
import { CliIO } from "../../cli/command";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { NOW, STACK_EXPORT } from "./helpers";

// Random-looking tail (no digit run an ARN or a column number could share); its length sets the columns below.
const SECRET = "PLANTED-unit-secret-Q7mX2vW9kZ";

describe("cli internals", () => {
    describe("JSON errors located without quoting the input", () => {
        const cases: Array<[string, string, { line: number; column: number; truncated: boolean; reason: RegExp }]> = [
            ["empty", "", { line: 1, column: 1, truncated: true, reason: /where a value was expected/ }],
            ["cut in an object", "{\n  \"a\": 1,\n", { line: 3, column: 1, truncated: true, reason: /inside an object/ }],
            ["cut in a list", "[1, 2", { line: 1, column: 6, truncated: true, reason: /inside a list/ }],
            ["cut in a string", `{"k": "${SECRET}`, { line: 1, column: 38, truncated: true, reason: /inside a string/ }],
            ["cut in an escape", "\"ab\\", { line: 1, column: 5, truncated: true, reason: /inside a string/ }],
            ["cut in a \\u escape", "\"\\u00", { line: 1, column: 6, truncated: true, reason: /inside a string/ }],
            ["cut in a literal", "[tru", { line: 1, column: 5, truncated: true, reason: /inside 'true'/ }],
            ["cut in a number", "[1.", { line: 1, column: 4, truncated: true, reason: /inside a number/ }],
            ["a missing comma", "{\"a\": 1\n \"b\": 2}", { line: 2, column: 2, truncated: false, reason: /expected ',' or '}'/ }],
            ["a missing colon", "{\"a\" 1}", { line: 1, column: 6, truncated: false, reason: /expected ':'/ }],
            ["an unquoted name", "{a: 1}", { line: 1, column: 2, truncated: false, reason: /double-quoted property name/ }],
            ["a trailing comma in a list", "[1,]", { line: 1, column: 4, truncated: false, reason: /where a value was expected/ }],
            ["a bad list separator", "[1;2]", { line: 1, column: 3, truncated: false, reason: /expected ',' or ']'/ }],
            ["a raw line break in a string", "\"a\nb\"", { line: 1, column: 3, truncated: false, reason: /control character/ }],
            ["a bad escape", "\"\\x\"", { line: 1, column: 2, truncated: false, reason: /invalid escape/ }],
            ["a bad \\u escape", "\"\\uZZZZ\"", { line: 1, column: 2, truncated: false, reason: /invalid \\u escape/ }],
            ["a leading zero", "[01]", { line: 1, column: 3, truncated: false, reason: /expected ',' or ']'/ }],
            ["a bare minus", "[-]", { line: 1, column: 2, truncated: false, reason: /invalid number/ }],
            ["a bad exponent", "[1e]", { line: 1, column: 3, truncated: false, reason: /invalid number/ }],
            ["a misspelt literal", "[nul]", { line: 1, column: 2, truncated: false, reason: /unexpected character/ }],
            ["data after the value", "{} {}", { line: 1, column: 4, truncated: false, reason: /after the end of the JSON value/ }],
            ["not JSON", `key: ${SECRET}`, { line: 1, column: 1, truncated: false, reason: /unexpected character/ }],
        ];
        for (const [what, text, expected] of cases) {
            it(`${what}: line ${expected.line}, column ${expected.column}`, () => {
                const result = parseJsonText(text);
                assert.ok(!result.ok);
                const { problem } = result;
                assert.equal(problem.line, expected.line);
                assert.equal(problem.column, expected.column);
                assert.equal(problem.truncated, expected.truncated);
                assert.match(problem.reason, expected.reason);
                assert.ok(!problem.reason.includes(SECRET.slice(8, 20)));
                assertNoLeak("the reason", problem.reason, SECRET);
            });
        }

        it("parses valid JSON", () => {
            assert.deepEqual(parseJsonText("{\"a\": [1, -2.5e3, true, null, \"\\u00e9\"]}"), { ok: true, value: { a: [1, -2.5e3, true, null, "é"] } });
        });

        it("says 'invalid JSON' without a position when V8 and the scanner disagree, or nesting is too deep", () => {
            assert.equal(locateJsonSyntaxError("{}").reason, "invalid JSON");
            const deep = locateJsonSyntaxError("[".repeat(200_000));
            assert.ok(deep.truncated || /nested too deeply/.test(deep.reason));
        });

        it("counts lines and columns from 1", () => {
            assert.deepEqual(lineAndColumn("ab\ncd", 0), { line: 1, column: 1 });
            assert.deepEqual(lineAndColumn("ab\ncd", 4), { line: 2, column: 2 });
        });
    });

    describe("error lines", () => {
        it("are one line: apigw-guard: file[:line]: message", () => {
            assert.equal(errorLine("a.json", 3, "bad\n  thing"), "apigw-guard: a.json:3: bad thing\n");
            assert.equal(errorLine("a.json", undefined, "bad"), "apigw-guard: a.json: bad\n");
            assert.equal(errorLine(undefined, undefined, "bad"), "apigw-guard: bad\n");
            assert.equal(oneLine("  a \r\n b  "), "a b");
        });

        it("never repeat an unexpected error's message (it may quote the input)", () => {
            const message = describeUnexpected(new TypeError(`Unexpected token in "${SECRET}"`));
            assert.match(message, /^unexpected error \(TypeError\); this is a bug in apigw-guard: rerun with APIGW_GUARD_DEBUG=1/);
            assert.ok(!message.includes(SECRET));
            assertNoLeak("the message", message, SECRET);
            assert.match(describeUnexpected("thrown string"), /\(string\)/);
        });

        it("name file-system problems from the error code alone", () => {
            const codes: Array<[string | undefined, string]> = [
                ["ENOENT", "no such file or directory"], ["EACCES", "permission denied"], ["EPERM", "permission denied"],
                ["EISDIR", "is a directory"], ["ENOTDIR", "a component of the path is not a directory"],
                ["ELOOP", "too many levels of symbolic links"], ["EMFILE", "too many open files"], ["EIO", "cannot be read (EIO)"], [undefined, "cannot be read"],
            ];
            for (const [code, message] of codes) {
                assert.equal(fileSystemProblem(code === undefined ? new Error("x") : Object.assign(new Error(`${code}: ${SECRET}`), { code })), message);
            }
        });
    });

    describe("input kind detection", () => {
        const kinds: Array<[unknown, string]> = [
            [{ format_version: "1.2", planned_values: {} }, "terraform-plan"],
            [{ format_version: "1.2", resource_changes: [] }, "terraform-plan"],
            [{ format_version: "1.0", values: {} }, "terraform-state"],
            [{ format_version: "1.0" }, "terraform-state"],
            [{ format_version: "1.0", terraform_version: "1.9.0" }, "terraform-state"],
            [{ version: 3, deployment: {} }, "pulumi-export"],
            [{ version: 3, checkpoint: {} }, "pulumi-export"],
        ];
        for (const [json, kind] of kinds) {
            it(`${JSON.stringify(json)} is ${kind}`, () => {
                assert.equal(detectKind(json, "f"), kind);
            });
        }
        const refused: Array<[unknown, RegExp]> = [
            [[], /a JSON list/],
            ["x", /a JSON string/],
            [null, /a JSON null/],
            [{ format_version: "1.0", provider_schemas: {} }, /providers schema/],
            [{ format_version: "1.0", valid: true, diagnostics: [] }, /terraform validate/],
            [{ format_version: "1.0", something: 1 }, /Terraform JSON of an unrecognised kind/],
            [{ version: 4, serial: 1, lineage: "x", resources: [] }, /raw Terraform state file/],
            [{ name: "x", version: "1.0.0" }, /package\.json/],
            [{ compilerOptions: {} }, /tsconfig\.json/],
            [{ AWSTemplateFormatVersion: "2010-09-09", Resources: {} }, /CloudFormation/],
            [{ openapi: "3.0.0" }, /OpenAPI/],
            [{ steps: [], changeSummary: {} }, /pulumi preview --json/],
            [{ resource: { aws_api_gateway_rest_api: {} } }, /Terraform JSON configuration/],
            [{ [SECRET]: SECRET }, /^f: not a Terraform plan\/state JSON or a Pulumi stack export \(an unrecognised JSON object\)$/],
        ];
        for (const [json, message] of refused) {
            it(`refuses ${JSON.stringify(json).slice(0, 60)}`, () => {
                assert.throws(() => detectKind(json, "f"), (error: unknown) => {
                    assert.ok(error instanceof SourceError);
                    assert.match(`${error.file}: ${error.message}`, message);
                    assert.ok(!error.message.includes(SECRET));
                    assertNoLeak("the error", { message: error.message, stack: error.stack ?? "" }, SECRET);
                    return true;
                });
            });
        }
    });

    describe("main, in process", () => {
        function io(readStdin: () => Promise<string>): { io: CliIO; out: string[]; err: string[] } {
            const out: string[] = [];
            const err: string[] = [];
            return {
                io: { stdout: { write: (t: string) => out.push(t), isTTY: false }, stderr: { write: (t: string) => err.push(t) }, env: {}, readStdin },
                out,
                err,
            };
        }

        it("turns an unexpected failure while reading an input into one line without its message, and exit 2", async () => {
            const fake = io(() => Promise.reject(new TypeError(`boom ${SECRET}`)));
            const code = await main(["node", "apigw-guard", "scan", "-", "--now", NOW], fake.io);
            assert.equal(code, 2);
            assert.deepEqual(fake.err, ["apigw-guard: <stdin>: unexpected error (TypeError); this is a bug in apigw-guard: rerun with APIGW_GUARD_DEBUG=1 for details and report it\n"]);
            assert.ok(!fake.out.join("").includes(SECRET));
            assertNoLeak("main", { stdout: fake.out.join(""), stderr: fake.err.join("") }, SECRET);
        });

        it("prints the stack of an unexpected error only with APIGW_GUARD_DEBUG", async () => {
            const fake = io(() => Promise.reject(new TypeError("boom")));
            const debugIo: CliIO = { ...fake.io, env: { APIGW_GUARD_DEBUG: "1" } };
            await main(["node", "apigw-guard", "scan", "-"], debugIo);
            assert.equal(fake.err.length, 2);
            assert.match(fake.err[1], /TypeError: boom\n {4}at /);
        });

        it("an unexpected failure outside any input (the output stream) is one line too", async () => {
            const fake = io(() => Promise.resolve(""));
            const broken: CliIO = { ...fake.io, stdout: { write: () => { throw new RangeError(SECRET); }, isTTY: false } };
            const code = await main(["node", "apigw-guard", "scan", STACK_EXPORT, "--now", NOW], broken);
            assert.equal(code, 2);
            assert.deepEqual(fake.err, ["apigw-guard: unexpected error (RangeError); this is a bug in apigw-guard: rerun with APIGW_GUARD_DEBUG=1 for details and report it\n"]);
        });
    });
});
