/**
 * The one leak detector every planted-value test uses.
 *
 * A test plants secret values in its input and hands everything the code under test wrote
 * (outputs, stderr, diagnostics, error messages) to {@link assertNoLeak}. It fails when the text
 * holds any fragment of {@link MIN_FRAGMENT} or more characters of a planted value:
 *
 * - as written, compared case-insensitively (an upper-cased or lower-cased echo is still a leak);
 * - URL-encoded, by `encodeURIComponent` or as a form field (`+` for space), escapes in either case;
 * - base64 and base64url encoded. Base64 works on 3-byte groups, so the encoding of a value
 *   inside a longer text depends on where the value starts modulo 3. For each of the three
 *   alignments we encode the value's whole groups from that offset; every base64 text that holds
 *   the value (or a fragment of it) holds, in one of those three encodings, the characters that
 *   encode its whole groups. Any 8 consecutive characters of those encodings are flagged: 8
 *   characters are 48 bits of the value (6 bytes), and an 8-character plain fragment, whatever
 *   its alignment, always covers two whole groups, so its encoding shows at least 8 such
 *   characters. Base64 is compared case-sensitively: its case carries the bits, and folding it
 *   would only add chance matches.
 *
 * Every 8-character window is checked, which is the same as checking every longer substring
 * (each one contains an 8-character window). The failure message names the planted value by its
 * position and the offset of the fragment, never the fragment itself.
 *
 * `publicParts` names text inside a planted value that is not secret and legitimately appears in
 * output (the example infrastructure's values carry the tool's name, `apigw-guard`, so that a
 * human reading the fixture sees they are fake): a window lying wholly inside a public part is
 * not a leak. Windows that reach one character past it still are.
 */
import assert from "node:assert/strict";

export const MIN_FRAGMENT = 8;

export type LeakForm = "as written" | "URL-encoded" | "base64" | "base64url";

export interface Leak {
    /** Index of the planted value in the list given. */
    readonly value: number;
    readonly form: LeakForm;
    /** Where the fragment starts in the planted value (in its encoded form for encodings). */
    readonly offset: number;
    /** Where it was found in the text. */
    readonly at: number;
}

export interface LeakOptions {
    /** Strings inside planted values that are not secret (see the module comment). */
    readonly publicParts?: readonly string[];
}

interface Window {
    readonly value: number;
    readonly form: LeakForm;
    readonly offset: number;
}

/** The windows to look for: folded ones (compared lower-cased) and exact ones (base64). */
interface Needles {
    readonly folded: Map<string, Window>;
    readonly exact: Map<string, Window>;
}

function windowsOf(text: string): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    for (let i = 0; i + MIN_FRAGMENT <= text.length; i++) {
        out.push([text.slice(i, i + MIN_FRAGMENT), i]);
    }
    return out;
}

function urlForms(value: string): string[] {
    return [encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)];
}

/** The value's whole 3-byte groups from offset 0, 1 and 2, base64-encoded (no padding). */
function base64Alignments(value: string): Array<{ readonly shift: number; readonly encoded: string }> {
    const bytes = Buffer.from(value, "utf8");
    const out: Array<{ shift: number; encoded: string }> = [];
    for (let shift = 0; shift < 3; shift++) {
        const rest = bytes.subarray(shift);
        const whole = rest.subarray(0, rest.length - (rest.length % 3));
        out.push({ shift, encoded: whole.toString("base64") });
    }
    return out;
}

/** The value's characters [first, last] that base64 characters [start, start + 8) of an alignment encode. */
function bytesCovered(shift: number, start: number): [number, number] {
    return [shift + Math.floor((6 * start) / 8), shift + Math.floor((6 * (start + MIN_FRAGMENT - 1) + 5) / 8)];
}

function insidePublic(value: string, first: number, last: number, publicParts: readonly string[]): boolean {
    const span = value.slice(first, last + 1).toLowerCase();
    return publicParts.some(part => part.toLowerCase().includes(span));
}

function needlesFor(planted: readonly string[], options: LeakOptions): Needles {
    const publicParts = options.publicParts ?? [];
    const folded = new Map<string, Window>();
    const exact = new Map<string, Window>();
    planted.forEach((value, index) => {
        if (value.length < MIN_FRAGMENT) {
            throw new Error(`planted value #${index} is shorter than ${MIN_FRAGMENT} characters: no fragment of it could be told from chance`);
        }
        if (!/^[\x20-\x7e]*$/.test(value)) {
            throw new Error(`planted value #${index} is not printable ASCII (the base64 windows assume one byte per character)`);
        }
        let secretWindows = 0;
        for (const [window, offset] of windowsOf(value)) {
            if (!insidePublic(value, offset, offset + MIN_FRAGMENT - 1, publicParts)) {
                folded.set(window.toLowerCase(), { value: index, form: "as written", offset });
                secretWindows++;
            }
        }
        if (secretWindows === 0) {
            throw new Error(`planted value #${index} is all public parts: there is nothing secret to look for`);
        }
        for (const form of urlForms(value)) {
            for (const [window, offset] of windowsOf(form)) {
                const key = window.toLowerCase();
                // A window without escapes is a plain window, already listed (or public).
                if (key.includes("%") || key.includes("+")) {
                    folded.set(key, { value: index, form: "URL-encoded", offset });
                }
            }
        }
        for (const { shift, encoded } of base64Alignments(value)) {
            for (const [window, offset] of windowsOf(encoded)) {
                const [first, last] = bytesCovered(shift, offset);
                if (insidePublic(value, first, last, publicParts)) {
                    continue;
                }
                exact.set(window, { value: index, form: "base64", offset });
                const url = window.replace(/\+/g, "-").replace(/\//g, "_");
                if (url !== window) {
                    exact.set(url, { value: index, form: "base64url", offset });
                }
            }
        }
    });
    return { folded, exact };
}

/** A reusable search for the planted values (the windows are computed once). */
export function leakDetector(planted: string | readonly string[], options: LeakOptions = {}): (text: string) => Leak[] {
    const { folded, exact } = needlesFor(typeof planted === "string" ? [planted] : planted, options);
    return text => {
        const lower = text.toLowerCase();
        const leaks: Leak[] = [];
        for (let at = 0; at + MIN_FRAGMENT <= text.length; at++) {
            const hit = folded.get(lower.slice(at, at + MIN_FRAGMENT)) ?? exact.get(text.slice(at, at + MIN_FRAGMENT));
            if (hit) {
                leaks.push({ ...hit, at });
            }
        }
        return leaks;
    };
}

/** Every place the text holds a fragment of a planted value, in any form above. */
export function findLeaks(text: string, planted: string | readonly string[], options: LeakOptions = {}): Leak[] {
    return leakDetector(planted, options)(text);
}

/** A description of leaks that does not repeat the leaked fragments. */
export function describeLeaks(leaks: readonly Leak[]): string {
    const shown = leaks.slice(0, 5).map(leak => `planted value #${leak.value} (${leak.form}, from its character ${leak.offset}) at character ${leak.at}`);
    return `${shown.join("; ")}${leaks.length > 5 ? `; and ${leaks.length - 5} more` : ""}`;
}

/**
 * Fails if any of `texts` (one text, a list, or a record of name → text) holds a fragment of a
 * planted value. `where` names what was searched, for the failure message.
 */
export function assertNoLeak(where: string, texts: string | readonly string[] | Readonly<Record<string, string>>, planted: string | readonly string[], options: LeakOptions = {}): void {
    const named: Array<[string, string]> = typeof texts === "string"
        ? [[where, texts]]
        : Array.isArray(texts)
            ? (texts as readonly string[]).map((text, i) => [`${where}[${i}]`, text])
            : Object.entries(texts as Readonly<Record<string, string>>).map(([name, text]) => [`${where}: ${name}`, text]);
    const detect = leakDetector(planted, options);
    for (const [name, text] of named) {
        const leaks = detect(text);
        assert.equal(leaks.length, 0, `${name} holds part of a planted value: ${describeLeaks(leaks)}`);
    }
}
