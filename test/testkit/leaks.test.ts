import assert from "node:assert/strict";
import { assertNoLeak, findLeaks, MIN_FRAGMENT } from "../../testkit/leaks";

const VALUE = "PLANTEDq7Rm2xVw9KzTb4NcY8eLs0HjUf";
const OTHER = "PLANTEDsecond/value+with=odd&chars";

function leaksIn(text: string, planted: string | readonly string[] = VALUE): number {
    return findLeaks(text, planted).length;
}

describe("testkit/leaks: one detector for every planted-value test", () => {
    it("finds the whole value, and every fragment of 8 characters or more at any offset", () => {
        assert.ok(leaksIn(`before ${VALUE} after`) > 0);
        for (let start = 0; start + MIN_FRAGMENT <= VALUE.length; start++) {
            for (const length of [MIN_FRAGMENT, MIN_FRAGMENT + 1, 12]) {
                if (start + length <= VALUE.length) {
                    const fragment = VALUE.slice(start, start + length);
                    assert.ok(leaksIn(`message: ${fragment}…`) > 0, `fragment [${start}, ${start + length})`);
                }
            }
        }
    });

    it("finds the first 12 characters, the last 8, and a fragment split over nothing else", () => {
        assert.ok(leaksIn(`reason: ${VALUE.slice(0, 12)}`) > 0);
        assert.ok(leaksIn(`…${VALUE.slice(-8)}`) > 0);
        assert.ok(leaksIn(VALUE.slice(10, 18)) > 0, "the text is the fragment alone");
    });

    it("ignores fragments of 7 characters", () => {
        const text = [0, 7, 14, 21].map(start => VALUE.slice(start, start + MIN_FRAGMENT - 1)).join(" ");
        assert.equal(leaksIn(text), 0);
    });

    it("compares case-insensitively", () => {
        assert.ok(leaksIn(VALUE.toUpperCase()) > 0);
        assert.ok(leaksIn(VALUE.slice(5, 15).toLowerCase()) > 0);
    });

    it("finds the value URL-encoded, with escapes in either case, and as a form field", () => {
        assert.equal(leaksIn(encodeURIComponent(VALUE)) > 0, true);
        const encoded = encodeURIComponent(OTHER);
        assert.notEqual(encoded, OTHER, "precondition: the value has characters URL encoding changes");
        // Only escaped windows of the encoded value, so the plain windows cannot be what is found.
        const escapedOnly = encoded.slice(encoded.indexOf("%"), encoded.indexOf("%") + 10);
        assert.ok(!OTHER.toLowerCase().includes(escapedOnly.toLowerCase().slice(0, MIN_FRAGMENT)));
        assert.ok(leaksIn(`?key=${escapedOnly}`, OTHER) > 0);
        assert.ok(leaksIn(`?key=${escapedOnly.toLowerCase()}`, OTHER) > 0);
        assert.ok(leaksIn(new URLSearchParams({ key: OTHER }).toString(), OTHER) > 0);
    });

    it("finds the value base64- and base64url-encoded, whatever its alignment inside the encoded text", () => {
        for (const prefix of ["", "a", "ab", "abc", "{\"apiKey\":\""]) {
            const encoded = Buffer.from(`${prefix}${VALUE}"}`).toString("base64");
            assert.ok(leaksIn(`Authorization: Basic ${encoded}`) > 0, `prefix of ${prefix.length}`);
            const url = Buffer.from(`${prefix}${OTHER}`).toString("base64url");
            assert.ok(leaksIn(url, OTHER) > 0, `base64url, prefix of ${prefix.length}`);
        }
    });

    it("finds an 8-character fragment base64-encoded at any alignment", () => {
        for (let start = 0; start + MIN_FRAGMENT <= VALUE.length; start++) {
            for (const prefix of ["", "x", "xy"]) {
                const encoded = Buffer.from(`${prefix}${VALUE.slice(start, start + MIN_FRAGMENT)}`).toString("base64");
                assert.ok(leaksIn(encoded) > 0, `fragment at ${start}, prefix of ${prefix.length}`);
            }
        }
    });

    it("does not flag text that merely looks alike: other random values, hex and base64 of other text", () => {
        const unrelated = [
            "PLANTEDxxxxxxxx", "planted", "0123456789abcdef", Buffer.from("an unrelated text of some length").toString("base64"),
            "apigateway-api-key-value-secret: the key value is held in plain text", encodeURIComponent("a b/c?d=e&f"),
        ].join("\n");
        assert.equal(leaksIn(unrelated, [VALUE, OTHER]), 0);
    });

    it("checks every planted value given", () => {
        assert.ok(leaksIn(`x ${OTHER.slice(3, 13)} y`, [VALUE, OTHER]) > 0);
        assert.equal(findLeaks(OTHER.slice(3, 13), [VALUE, OTHER])[0]?.value, 1);
    });

    it("lets a public part of a value appear, but not one character more of its neighbours", () => {
        const value = "PLANTED-apigw-guard-key-0123456789";
        const options = { publicParts: ["apigw-guard"] };
        assert.equal(findLeaks("report by apigw-guard 1.0", value, options).length, 0);
        assert.ok(findLeaks("apigw-guard-k", value, options).length > 0);
        assert.ok(findLeaks("d-apigw-guard", value, options).length > 0);
        assert.ok(findLeaks(value.slice(-9), value, options).length > 0);
        assert.ok(findLeaks("report by apigw-guard 1.0", value).length > 0, "without the option, the tool's name is a fragment of the value");
    });

    it("refuses planted values it cannot check: too short, not ASCII, all public", () => {
        assert.throws(() => findLeaks("text", "short12"), /shorter than 8/);
        assert.throws(() => findLeaks("text", "PLANTED-välue-0123"), /ASCII/);
        assert.throws(() => findLeaks("text", "apigw-guard", { publicParts: ["apigw-guard"] }), /nothing secret/);
    });

    it("assertNoLeak names the text and the fragment's place, never the fragment", () => {
        assert.doesNotThrow(() => assertNoLeak("stdout", "nothing here", VALUE));
        assert.throws(() => assertNoLeak("run", { stdout: "fine", stderr: `oops ${VALUE.slice(4, 16)}` }, VALUE), (error: Error) => {
            assert.match(error.message, /^run: stderr holds part of a planted value: planted value #0 \(as written, from its character 4\)/);
            assert.ok(findLeaks(error.message, VALUE).length === 0, "the message itself leaks nothing");
            return true;
        });
        assert.throws(() => assertNoLeak("diagnostics", ["ok", VALUE.toLowerCase()], VALUE), /diagnostics\[1\] holds part/);
    });
});
