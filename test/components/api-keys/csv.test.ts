import assert from "node:assert/strict";
import { parseCsv } from "../../../components/api-keys/csv";

describe("parseCsv", () => {
    it("reads plain, double-quoted and single-quoted fields", () => {
        const { records, problems } = parseCsv("Name,Key,UsagePlanIds\nacme,abc,\"p1,p2\"\nglobex,\"a\"\"b\",'p3,p4'\n");
        assert.deepEqual(problems, []);
        assert.deepEqual(records, [
            { line: 1, fields: ["Name", "Key", "UsagePlanIds"] },
            { line: 2, fields: ["acme", "abc", "p1,p2"] },
            { line: 3, fields: ["globex", "a\"b", "p3,p4"] },
        ]);
    });

    it("accepts CRLF, a byte-order mark, blank lines and no final newline", () => {
        const { records, problems } = parseCsv("\uFEFFName,Key\r\n\r\nacme,abc\r\n\nglobex,def");
        assert.deepEqual(problems, []);
        assert.deepEqual(records.map(r => [r.line, r.fields]), [[1, ["Name", "Key"]], [3, ["acme", "abc"]], [5, ["globex", "def"]]]);
    });

    it("keeps line numbers right after a quoted field spanning lines", () => {
        const { records } = parseCsv("Name,Description\nacme,\"line one\nline two\"\nglobex,x\n");
        assert.deepEqual(records.map(r => r.line), [1, 2, 4]);
        assert.equal(records[1].fields[1], "line one\nline two");
    });

    it("keeps empty fields and a quoted empty record", () => {
        assert.deepEqual(parseCsv("a,,c\n,\n\"\"\n").records.map(r => r.fields), [["a", "", "c"], ["", ""], [""]]);
    });

    it("reports malformed records by line and column without their content, and keeps going", () => {
        const text = "Name,Key\nacme,SECRET-ONE\"x\nglobex,\"SECRET-TWO\"junk\ninitech,ok\numbrella,\"SECRET-THREE\n";
        const { records, problems } = parseCsv(text);
        assert.deepEqual(problems.map(p => p.line), [2, 3, 5]);
        assert.match(problems[0].message, /column 2: a double quote inside an unquoted field/);
        assert.match(problems[1].message, /column 2: unexpected character after a closing quote/);
        assert.match(problems[2].message, /column 2: the quoted field opened on line 5 is never closed/);
        assert.deepEqual(records.map(r => r.fields[0]), ["Name", "initech"]);
        for (const problem of problems) {
            assert.doesNotMatch(problem.message, /SECRET/);
        }
    });
});
