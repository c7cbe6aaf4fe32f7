/**
 * Resource globs of waivers, matched in time linear in the name for a given glob, whatever the
 * glob. A glob turned into a backtracking RegExp (`[\s\S]*` per `**`) takes exponential time on
 * globs like forty `*` then `a`: a waiver file or a pack config (which the engine gives a gRPC
 * deadline) must never be able to hang a run. So the glob is run as a set of positions in it (an
 * NFA simulation): each character of the name advances every live position at once.
 *
 * `**` matches any run of characters; `*` any run within one segment, i.e. not crossing `/`, `:`
 * or `.` (the separators of ARNs, URNs and Terraform addresses). No other character is special.
 */

const enum Step {
    /** `*`: stay on any character that is not a separator. */
    Segment = -1,
    /** `**`: stay on any character. */
    Any = -2,
}

/** A glob as steps: a character code to match, or a wildcard. Runs of wildcards are one step. */
export type CompiledGlob = readonly number[];

const SEPARATORS = new Set(["/", ":", "."].map(char => char.charCodeAt(0)));

export function compileGlob(glob: string): CompiledGlob {
    const steps: number[] = [];
    for (let i = 0; i < glob.length; i++) {
        const code = glob.charCodeAt(i);
        if (code !== 42 /* * */) {
            steps.push(code);
            continue;
        }
        let wildcard = Step.Segment;
        if (glob.charCodeAt(i + 1) === 42) {
            wildcard = Step.Any;
            i++;
        }
        // `**` then `*` (or `*` then `**`) is `**`: one step matches what both would.
        const last = steps.length - 1;
        if (last >= 0 && steps[last] < 0) {
            steps[last] = Math.min(steps[last], wildcard);
        } else {
            steps.push(wildcard);
        }
    }
    return steps;
}

/** Does the whole `name` match? O(name length × steps), no backtracking. */
export function globMatches(steps: CompiledGlob, name: string): boolean {
    const accept = steps.length;
    let live = new Uint8Array(accept + 1);
    let next = new Uint8Array(accept + 1);
    enter(steps, live, 0);
    for (let i = 0; i < name.length; i++) {
        const code = name.charCodeAt(i);
        next.fill(0);
        let any = false;
        for (let position = 0; position < accept; position++) {
            if (live[position] === 0) {
                continue;
            }
            const step = steps[position];
            if (step === Step.Any || (step === Step.Segment && !SEPARATORS.has(code))) {
                enter(steps, next, position);
                any = true;
            } else if (step === code) {
                enter(steps, next, position + 1);
                any = true;
            }
        }
        if (!any) {
            return false;
        }
        [live, next] = [next, live];
    }
    return live[accept] === 1;
}

/** Marks a position live, and the positions after the wildcards it may skip (they match nothing too). */
function enter(steps: CompiledGlob, live: Uint8Array, position: number): void {
    let at = position;
    live[at] = 1;
    while (at < steps.length && steps[at] < 0) {
        at++;
        live[at] = 1;
    }
}
