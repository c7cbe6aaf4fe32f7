import { setFlagsFromString } from "v8";
import { runInNewContext } from "vm";

/**
 * One full garbage collection, asked for where a scan has just let go of a large parsed input.
 *
 * A JSON input is parsed whole (for a 300k-resource plan, ~1 GB of objects beside a 470 MB
 * string) and is garbage once its Inventory is built. V8 sizes the old generation from what was
 * live at its last full collection, which usually fell while the input was still live; nothing
 * asks for another before the run ends, so everything the rules and the report allocate piles up
 * on top. One collection here lowers the peak by about a quarter at every size measured (bench/README.md,
 * fix 10) and costs 15–170 ms, which the collections it saves later pay back.
 *
 * `gc` is exposed the way jest's leak detector reaches it: the flag is set, a new context (which
 * gets `gc` as a global) hands the function over, and the flag is cleared again, so no other
 * context sees it. Where that is refused (a runtime without V8 flags), nothing happens.
 */
export function collectGarbage(): void {
    collector ??= obtainCollector();
    if (collector !== false) {
        collector();
    }
}

let collector: (() => void) | false | undefined;

function obtainCollector(): (() => void) | false {
    try {
        setFlagsFromString("--expose-gc");
        const gc = runInNewContext("gc") as unknown;
        return typeof gc === "function" ? () => { (gc as () => void)(); } : false;
    } catch {
        return false;
    } finally {
        try {
            setFlagsFromString("--no-expose-gc");
        } catch {
            // The flag stays set: only new contexts would see `gc`, and the scan makes none.
        }
    }
}
