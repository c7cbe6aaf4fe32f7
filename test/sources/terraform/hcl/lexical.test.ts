import assert from "node:assert/strict";
import { evaluate, parseExpression, parseTemplate } from "../../../../sources/terraform/hcl/expressions";
import { scanHclBody } from "../../../../sources/terraform/hcl/positions";
import { commentEnd, heredocBody, heredocHeader, isCommentStart, quotedEnd, templateEnd } from "../../../../sources/terraform/hcl/lexical";

/** The index just past the last occurrence of `marker` in `text`: where a skipper should stop. */
function after(text: string, marker: string): number {
    const at = text.lastIndexOf(marker);
    assert.ok(at >= 0);
    return at + marker.length;
}

const NO_RESOLVER = { traversal: () => assert.fail("no traversal expected") };

describe("sources/terraform/hcl/lexical", () => {
    describe("comments", () => {
        it("`#`, `//` and `/*` start one; a lone `/` does not", () => {
            assert.deepEqual(["# c", "// c", "/* c */", "/ 2", "a"].map(text => isCommentStart(text, 0)), [true, true, true, false, false]);
        });

        it("a line comment stops before its line break, a block comment past its `*/` (quotes and braces inside are text)", () => {
            assert.equal(commentEnd("x # \"{ c\ny", 2), 8);
            assert.equal(commentEnd("// to the end", 0), 13);
            assert.equal(commentEnd("/* a \"\n } */ b", 0), 12);
        });

        it("an unclosed block comment runs to the end", () => {
            assert.equal(commentEnd("/* a\nb", 0), 6);
        });
    });

    describe("quotedEnd", () => {
        const cases: Array<[string, string, string]> = [
            ["a plain string", "\"abc\" = 1", "\"abc\""],
            ["an escaped quote", "\"say \\\"hi\\\"\" rest", "\\\"\""],
            ["an escaped backslash before the closing quote", "\"dir\\\\\" rest", "\\\\\""],
            ["a literal `$${` and `%%{` (not templates)", "\"$${x} %%{y}\" \"", "%%{y}\""],
            ["an interpolation holding a quoted `}`", "\"a${ \"}\" }b\" tail", "}b\""],
            ["an interpolation with nested braces and strings", "\"${ {k = \"v\"}[\"k\"] }\" tail", "] }\""],
            ["a directive", "\"%{ if x }y%{ else }\\\"z\\\"%{ endif }\" tail", "endif }\""],
            ["nested templates", "\"${ format(\"%s\", \"${ \"deep\" }\") }\" tail", ") }\""],
        ];
        for (const [what, text, closing] of cases) {
            it(`${what}: stops just past the closing quote`, () => {
                assert.equal(quotedEnd(text, 0), after(text, closing));
                assert.equal(quotedEnd(text, 0, { stopAtNewline: true }), after(text, closing));
            });
        }

        it("starts at any index", () => {
            const text = "x = \"a\\\"b\" # c";
            assert.equal(quotedEnd(text, text.indexOf("\"")), text.indexOf(" #"));
        });

        it("an unclosed string runs to the end, or to the line break when asked to stop there", () => {
            assert.equal(quotedEnd("\"abc", 0), 4);
            assert.equal(quotedEnd("\"abc\ndef\" x", 0), after("\"abc\ndef\" x", "\""));
            assert.equal(quotedEnd("\"abc\ndef\" x", 0, { stopAtNewline: true }), 4);
        });

        it("a string that ends inside an escape or an interpolation stops past the end of the text", () => {
            assert.ok(quotedEnd("\"abc\\", 0) > 5);
            assert.equal(quotedEnd("\"a${ b", 0), "\"a${ b".length + 1);
        });
    });

    describe("templateEnd", () => {
        it("stops past the `}` that closes the interpolation, skipping nested braces and strings", () => {
            const text = "${ { a = \"}\" }[\"a\"] } after";
            assert.equal(templateEnd(text, 2), text.indexOf(" after"));
        });

        it("a `}` inside a nested string's interpolation does not close it", () => {
            const text = "${ \"${ \"}\" }\" } after";
            assert.equal(templateEnd(text, 2), text.indexOf(" after"));
        });

        it("an unclosed interpolation ends at text.length + 1, so `end - 1` still bounds its body", () => {
            const text = "${ a.b";
            const end = templateEnd(text, 2);
            assert.equal(end, text.length + 1);
            assert.equal(text.slice(2, end - 1), " a.b");
        });
    });

    describe("heredocs", () => {
        it("reads `<<EOT` and `<<-EOT` headers, with trailing blanks and CRLF", () => {
            assert.deepEqual(heredocHeader("x = <<EOT\nbody\nEOT\n", 4), { marker: "EOT", indented: false, bodyStart: 10 });
            assert.deepEqual(heredocHeader("<<-END_OF-doc \t\r\nbody", 0), { marker: "END_OF-doc", indented: true, bodyStart: 17 });
        });

        it("`<<` that opens no heredoc is not one", () => {
            for (const text of ["<<1\n", "<< EOT\n", "<<EOT x\n", "<<EOT", "<-EOT\n"]) {
                assert.equal(heredocHeader(text, 0), undefined, text);
            }
        });

        it("the body runs to the marker alone on its line (indented or not); quotes and braces inside are text", () => {
            const text = "<<-EOT\n  {\"a\": \"${b}\"\n  }\"\n  EOT\nnext = 1\n";
            const header = heredocHeader(text, 0)!;
            const { lines, end } = heredocBody(text, header.bodyStart, header.marker);
            assert.deepEqual(lines, ["  {\"a\": \"${b}\"", "  }\""]);
            assert.equal(end, text.indexOf("\nnext"));
        });

        it("a line that merely contains the marker does not close it; CR stays on the lines", () => {
            const text = "<<EOT\r\nnot EOT\r\nEOTX\r\nEOT\r\n";
            const header = heredocHeader(text, 0)!;
            const { lines, end } = heredocBody(text, header.bodyStart, header.marker);
            assert.deepEqual(lines, ["not EOT\r", "EOTX\r"]);
            assert.equal(end, text.length - 1, "just before the closing line's line feed");
        });

        it("an empty body, and an unclosed one that runs to the end", () => {
            assert.deepEqual(heredocBody("<<EOT\nEOT", 6, "EOT"), { lines: [], end: 9 });
            assert.deepEqual(heredocBody("<<EOT\na\n\nb", 6, "EOT"), { lines: ["a", "", "b"], end: 10 });
            assert.deepEqual(heredocBody("<<EOT\na\n", 6, "EOT"), { lines: ["a"], end: 8 });
        });
    });

    describe("both users agree on where strings and comments end", () => {
        it("the position scanner finds the block after `}` and quotes in strings, templates, a heredoc and comments", () => {
            const text = [
                "resource \"aws_x\" \"a\" {",
                "  name   = \"${ \"}\" }\\\"}\"",
                "  policy = <<-EOT",
                "    { \"}\": \"${ x }\" }",
                "    EOT",
                "  tags   = { k = \"%{ if true }}%{ endif }\" }",
                "}",
                "/* a comment with { and \" across",
                "   two lines */ # and \" {",
                "resource \"aws_x\" \"b\" {",
                "  name = \"$${literal}\"",
                "}",
            ].join("\n");
            const blocks = scanHclBody(text);
            assert.deepEqual(blocks.map(b => b.kind === "block" && [b.labels.join("."), b.line]), [["aws_x.a", 1], ["aws_x.b", 10]]);
            const first = blocks[0];
            assert.ok(first.kind === "block");
            assert.deepEqual(first.body.map(item => item.kind === "attribute" && [item.name, item.line]), [["name", 2], ["policy", 3], ["tags", 6]]);
        });

        it("the expression lexer reads the same strings: nested quotes, escapes and heredocs", () => {
            assert.equal(evaluate(parseExpression("\"a${ \"}\" }b\""), NO_RESOLVER), "a}b");
            assert.equal(evaluate(parseExpression("\"say \\\"hi\\\" $${no}\""), NO_RESOLVER), "say \"hi\" ${no}");
            assert.equal(evaluate(parseExpression("<<-EOT\n    {\"k\": \"}\"}\n      indented\n    EOT\n"), NO_RESOLVER), "{\"k\": \"}\"}\n  indented\n");
            assert.equal(evaluate(parseExpression("<<EOT\n  kept\nEOT\n"), NO_RESOLVER), "  kept\n");
            assert.equal(evaluate(parseTemplate("x${ \"${ \"y\" }\" }z"), NO_RESOLVER), "xyz");
            assert.equal(evaluate(parseExpression("1 + # one\n /* \"two\n */ 2 // three"), NO_RESOLVER), 3);
        });
    });
});
