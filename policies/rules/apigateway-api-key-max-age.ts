import { ApiKeyEntity, isUnknown } from "../model";
import { example } from "../model/examples";
import { defineRule, Outcome } from "./types";
import { DAY_MS, describeUnknown } from "./util";

export interface ApiKeyMaxAgeConfig {
    /** A key older than this many days fails. */
    maxAgeDays: number;
    /** A key older than this many days (and not past `maxAgeDays`) is a warning. */
    warnAgeDays: number;
    /** The tag the components write with the time the key was last rotated (ISO-8601). */
    rotationTagKey: string;
}

export default defineRule<ApiKeyMaxAgeConfig>({
    id: "apigateway-api-key-max-age",
    title: "API keys are rotated before they reach a maximum age",
    description: "An enabled API key older than maxAgeDays (default 90) fails; older than warnAgeDays (default 60) is a warning. Age comes from the key's creation date, or from the rotation tag the apigw-guard components write (which is known at preview, when a new key's creation date is not).",
    severity: "high",
    enforcementLevel: "mandatory",
    scope: "resource",
    appliesTo: ["api-key"],
    controls: { awsSecurityHub: [], nist80053: ["IA-5"], pciDssV4: ["8.6.3"] },
    remediation: "Rotate the key: create a new key (with a new value), attach it to the same usage plans, move clients to it, then delete the old one. Record the rotation time in the rotation tag (default 'apigw-guard:rotated-at', ISO-8601) so the age can be judged at preview; the apigw-guard components rotate keys on a schedule and write the tag.",
    configSchema: {
        type: "object",
        properties: {
            maxAgeDays: { type: "integer", minimum: 1, default: 90, description: "Keys older than this many days fail." },
            warnAgeDays: { type: "integer", minimum: 0, default: 60, description: "Keys older than this many days are a warning (advisory). Should be below maxAgeDays; when it is not, there is no warning band." },
            rotationTagKey: { type: "string", minLength: 1, default: "apigw-guard:rotated-at", description: "Tag holding the ISO-8601 time the key was last rotated." },
        },
    },
    examples: {
        compliant: {
            description: "A key rotated on 2026-05-15 (below the default 60-day warning age until 2026-07-14).",
            entities: [example.apiKey("key", { createdDate: "2026-05-15T00:00:05Z", tags: { "apigw-guard:rotated-at": "2026-05-15T00:00:00Z" } })],
        },
        nonCompliant: {
            description: "A key created on 2025-06-01 and never rotated.",
            entities: [example.apiKey("key", { createdDate: "2025-06-01T00:00:00Z", tags: {} })],
        },
    },
    evaluate(inventory, config, context) {
        return inventory.ofKind("api-key").map(key => judge(key, config, context.now));
    },
});

interface Dated {
    readonly time: number;
    /** How the date was found, for the message. */
    readonly source: string;
}

type AgeBasis = { readonly kind: "dated"; readonly date: Dated } | { readonly kind: "undecided"; readonly why: string };

function judge(key: ApiKeyEntity, config: ApiKeyMaxAgeConfig, now: Date): Outcome {
    const { ref } = key;
    const label = `API key '${key.name}'`;
    if (key.enabled === false) {
        return { ref, status: "not-applicable", message: `${label} is disabled; apigateway-api-key-unused judges when it should be deleted` };
    }
    if (isUnknown(key.enabled)) {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} is enabled, so whether its age matters: ${describeUnknown(key.enabled)}` };
    }
    const basis = ageBasis(key, config.rotationTagKey);
    if (basis.kind === "undecided") {
        return { ref, status: "unknown", message: `cannot tell yet how old ${label} is: ${basis.why}` };
    }
    const ageMs = now.getTime() - basis.date.time;
    // A date in the future would make a key look new forever; a day of slack absorbs clock skew.
    if (ageMs < -DAY_MS) {
        return { ref, status: "unknown", message: `cannot tell yet how old ${label} is: its ${basis.date.source} lies in the future. Correct the date` };
    }
    const age = Math.max(0, Math.floor(ageMs / DAY_MS));
    const { maxAgeDays, warnAgeDays } = config;
    const metrics = { ageDays: age, maxAgeDays, warnAgeDays };
    if (age > maxAgeDays) {
        return {
            ref,
            status: "fail",
            metrics,
            message: `${label} is ${age} days old (from its ${basis.date.source}), older than the ${maxAgeDays}-day maximum. Rotate it: create a new key, move clients to it, then delete this one.`,
        };
    }
    if (warnAgeDays < maxAgeDays && age > warnAgeDays) {
        return {
            ref,
            status: "fail",
            advisoryOnly: true,
            metrics,
            message: `${label} is ${age} days old (from its ${basis.date.source}), past the ${warnAgeDays}-day warning age: rotate it; it fails the ${maxAgeDays}-day maximum in about ${maxAgeDays + 1 - age} day(s).`,
        };
    }
    return { ref, status: "pass", metrics, message: `${label} is ${age} days old (from its ${basis.date.source}), within the ${maxAgeDays}-day maximum` };
}

/**
 * The date a key's age counts from. An API key's value cannot change in place (UpdateApiKey has
 * no patch path for it), so rotating means creating a new key: its creation date is the truth, and
 * the rotation tag stands in for it where it is not known yet (preview, plan). When both are
 * known the earlier counts, so a tag bumped without replacing the key cannot make it look newer.
 */
function ageBasis(key: ApiKeyEntity, tagKey: string): AgeBasis {
    const { tags, createdDate } = key;
    let tagDate: Dated | undefined;
    let tagNote: string | undefined;
    if (isUnknown(tags)) {
        tagNote = `its tags are not known yet: ${describeUnknown(tags)}`;
    } else {
        const tagValue = tags?.[tagKey];
        if (isUnknown(tagValue)) {
            return { kind: "undecided", why: `the value of its '${tagKey}' tag is not known yet (${describeUnknown(tagValue)})` };
        }
        if (tagValue !== undefined) {
            const time = parseIsoDate(tagValue);
            if (time === undefined) {
                tagNote = `its '${tagKey}' tag ${quote(tagValue)} is not an ISO-8601 date, so it was not used`;
            } else {
                tagDate = { time, source: `'${tagKey}' tag` };
            }
        }
    }

    let createdTime: Dated | undefined;
    let createdNote: string | undefined;
    if (isUnknown(createdDate)) {
        createdNote = `it is a new key: its creation date is known only after the update (${describeUnknown(createdDate)})`;
    } else if (createdDate !== undefined) {
        const time = parseIsoDate(createdDate);
        if (time === undefined) {
            createdNote = `its creation date ${quote(createdDate)} is not an ISO-8601 date`;
        } else {
            createdTime = { time, source: "creation date" };
        }
    }

    if (createdTime && tagNote !== undefined && tagDate === undefined) {
        return { kind: "dated", date: { time: createdTime.time, source: `creation date; ${tagNote}` } };
    }
    if (tagDate && createdTime) {
        return { kind: "dated", date: createdTime.time < tagDate.time ? createdTime : tagDate };
    }
    const known = tagDate ?? createdTime;
    if (known) {
        return { kind: "dated", date: known };
    }
    const notes = [createdNote, tagNote].filter((note): note is string => note !== undefined);
    if (createdNote === undefined && tagNote === undefined) {
        return {
            kind: "undecided",
            why: `it has no creation date and no '${tagKey}' tag. Tag it with '${tagKey}' = the ISO-8601 time it was created or last rotated (the apigw-guard components do this) so its age can be judged`,
        };
    }
    return { kind: "undecided", why: notes.join(", and ") };
}

/** Strict ISO-8601 only: `Date.parse` also accepts strings such as "1" (the year 2001). */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

function parseIsoDate(text: string): number | undefined {
    const match = ISO_DATE.exec(text.trim());
    if (!match) {
        return undefined;
    }
    // Without a zone, JavaScript reads a date-time as local time; read it as UTC so the verdict
    // does not depend on the machine running the check.
    const normalised = match[4] !== undefined && match[7] === undefined ? `${text.trim()}Z` : text.trim();
    const time = Date.parse(normalised.replace(" ", "T"));
    return Number.isNaN(time) ? undefined : time;
}

function quote(text: string): string {
    return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
