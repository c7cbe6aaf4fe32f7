import assert from "node:assert/strict";
import { lineAndColumn, locateJsonSyntaxError, parseJsonText, parseJsonWithLines } from "../../sources/json-text";

/**
 * The one JSON scanner serves two callers: the CLI (where is a file broken, without quoting it)
 * and the Terraform reader (on which line is each key of a `.tf.json` file). The error cases
 * themselves are covered in test/cli/scan-units.test.ts; these are the key lines, and the two
 * uses side by side.
 */

const SECRET = "PLANTED-json-text-0123456789";

/** The 1-based line of the only occurrence of `needle` in `text`, found without the scanner. */
function lineOf(text: string, needle: string): number {
    const at = text.indexOf(needle);
    assert.ok(at >= 0 && text.indexOf(needle, at + 1) < 0, `${needle} occurs once`);
    return text.slice(0, at).split("\n").length;
}

describe("sources/json-text", () => {
    describe("parseJsonWithLines: the line of every object key", () => {
        it("gives each object's keys their lines, nested in objects and lists", () => {
            const value = {
                k_top: 1,
                k_obj: { k_inner: "v", k_deeper: { k_leaf: [1, 2] } },
                k_list: [{ k_in_list: true }, [{ k_in_nested_list: null }]],
            };
            const text = JSON.stringify(value, null, 2);
            const parsed = parseJsonWithLines(text);
            assert.deepEqual(parsed.value, value);
            const root = parsed.value as typeof value;
            const lines = (node: object) => parsed.keyLines.get(node);
            assert.deepEqual(lines(root), { k_top: lineOf(text, "\"k_top\""), k_obj: lineOf(text, "\"k_obj\""), k_list: lineOf(text, "\"k_list\"") });
            assert.deepEqual(lines(root.k_obj), { k_inner: lineOf(text, "\"k_inner\""), k_deeper: lineOf(text, "\"k_deeper\"") });
            assert.deepEqual(lines(root.k_obj.k_deeper), { k_leaf: lineOf(text, "\"k_leaf\"") });
            assert.deepEqual(lines(root.k_list[0]), { k_in_list: lineOf(text, "\"k_in_list\"") });
            assert.deepEqual(lines((root.k_list[1] as Array<{ k_in_nested_list: null }>)[0]), { k_in_nested_list: lineOf(text, "\"k_in_nested_list\"") });
        });

        it("counts lines through compact text, CRLF line ends, escaped keys and a byte-order mark", () => {
            const text = "\ufeff{\"a\": {\"b\": 1,\r\n\"c\\\"d\": [\r\n\r\n{\"\\u0065\": 2}]},\r\n  \"f\": {}}";
            const parsed = parseJsonWithLines(text);
            const root = parsed.value as { a: { b: number; "c\"d": Array<{ e: number }> }; f: object };
            assert.deepEqual(parsed.keyLines.get(root), { a: 1, f: 5 });
            assert.deepEqual(parsed.keyLines.get(root.a), { b: 1, "c\"d": 2 });
            assert.deepEqual(parsed.keyLines.get(root.a["c\"d"][0]), { e: 4 });
            assert.deepEqual(parsed.keyLines.get(root.f), {}, "an empty object has its (empty) entry");
        });

        it("keeps the first line of a repeated key, and the last value (as JSON.parse does)", () => {
            const parsed = parseJsonWithLines("{\n\"k\": 1,\n\"k\": {\"x\": 2}\n}");
            assert.deepEqual(parsed.value, { k: { x: 2 } });
            assert.deepEqual(parsed.keyLines.get(parsed.value as object), { k: 2 });
            assert.deepEqual(parsed.keyLines.get((parsed.value as { k: object }).k), { x: 3 });
        });

        it("throws on invalid JSON, and the locator then finds the place without quoting the input", () => {
            const text = `{\n  "key": "${SECRET}",\n  "next" "${SECRET}"\n}`;
            assert.throws(() => parseJsonWithLines(text), SyntaxError);
            const problem = locateJsonSyntaxError(text);
            assert.deepEqual({ line: problem.line, column: problem.column }, lineAndColumn(text, text.indexOf(" \"" + SECRET, text.indexOf("\"next\"")) + 1));
            assert.equal(problem.reason, "expected ':' after a property name");
            assert.ok(!problem.reason.includes(SECRET));
        });
    });

    describe("the two uses agree", () => {
        const texts = [
            "{}",
            "[1, {\"a\": [true, false, null]}, \"s\\n\", -0.5e-3]",
            "{\n  \"resource\": {\n    \"aws_api_gateway_rest_api\": {\n      \"api\": {\"name\": \"x\"}\n    }\n  }\n}\n",
        ];
        for (const text of texts) {
            it(`valid for both: ${JSON.stringify(text).slice(0, 40)}`, () => {
                assert.deepEqual(parseJsonText(text), { ok: true, value: JSON.parse(text) });
                assert.deepEqual(parseJsonWithLines(text).value, JSON.parse(text));
            });
        }

        it("the line a key is reported on is the line lineAndColumn gives for the key's offset", () => {
            const text = "{\"a\":\n\n  {\"bb\": 1,\n \"ccc\":\n2}}";
            const parsed = parseJsonWithLines(text);
            const inner = (parsed.value as { a: object }).a;
            assert.equal(parsed.keyLines.get(parsed.value as object)?.a, lineAndColumn(text, text.indexOf("\"a\"")).line);
            assert.equal(parsed.keyLines.get(inner)?.bb, lineAndColumn(text, text.indexOf("\"bb\"")).line);
            assert.equal(parsed.keyLines.get(inner)?.ccc, lineAndColumn(text, text.indexOf("\"ccc\"")).line);
        });
    });
});
