/**
 * Text that reaches a person's terminal (the text report, stderr, the progress bar, CrossGuard
 * messages that the Pulumi CLI prints) carries names and values from inputs: resource names, tag
 * values, config keys, event-log text. Raw, their control characters could clear the screen,
 * retitle the terminal, move the cursor or start a new line that forges a `PASS` row, and bidi
 * overrides could reorder what is shown. `inert` shows each such character as a visible escape
 * instead, so what is printed is exactly what the input held, and does nothing.
 */
// C0 controls (tab and newline too: a finding is one line), DEL, C1 controls, the bidi embeddings,
// overrides and isolates, the line/paragraph separators, and the private-use code points the text
// reporter uses as its own color markers.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ue000-\ue001]/g;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

export function inert(text: string): string {
    return text.replace(UNSAFE, char => NAMED[char] ?? escapeOf(char));
}

function escapeOf(char: string): string {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `value` with every string in it made inert. Copy on write: what holds no unsafe character is
 * returned as it is (a clean report costs one scan, no copy).
 */
export function inertDeep<T>(value: T): T {
    return inertValue(value) as T;
}

function inertValue(value: unknown): unknown {
    if (typeof value === "string") {
        // Equal strings compare equal: a clean string comes back as the same value, and nothing is copied.
        return inert(value);
    }
    if (typeof value !== "object" || value === null) {
        return value;
    }
    if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
            const item = inertValue(value[i]);
            if (item !== value[i]) {
                copy ??= value.slice();
                copy[i] = item;
            }
        }
        return copy ?? value;
    }
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
        const original = (value as Record<string, unknown>)[key];
        const item = inertValue(original);
        if (item !== original) {
            copy ??= { ...(value as Record<string, unknown>) };
            copy[key] = item;
        }
    }
    return copy ?? value;
}
