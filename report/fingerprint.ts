import * as crypto from "crypto";
import type { InputFinding } from "./model";

/** Bumped (with the prefix below) only if the recipe changes; old baselines then match nothing. */
const FINGERPRINT_PREFIX = "apigw-guard/fingerprint/v1";

/**
 * `crypto.hash` (Node >= 20.12; strings are hashed as UTF-8): one call, no Hash object per
 * finding. The same digest as `createHash`, which older Node versions use.
 */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

/**
 * The stable identity of "this rule about this resource" (see `ReportFinding.fingerprint`):
 * the first 32 hex digits (128 bits) of
 * `sha256("apigw-guard/fingerprint/v1" NUL ruleId NUL entityKind NUL entityRef)`.
 *
 * `entityRef` is the entity's logical key (Pulumi URN, Terraform address, AWS ARN, or a key
 * derived from one, such as `<stage>#methodSettings/*\/*`); no file, line, input name, message,
 * status or value goes in. So reordering resources, renaming other resources or moving this one to
 * another `.tf` file keeps the fingerprint; renaming the resource (or its module, or its URN
 * parent) gives a new one, as it should: to Terraform and Pulumi that is a new resource too.
 */
export function fingerprintOf(ruleId: string, entityKind: string, entityRef: string): string {
    const text = `${FINGERPRINT_PREFIX}\u0000${ruleId}\u0000${entityKind}\u0000${entityRef}`;
    return (oneShotHash !== undefined ? oneShotHash("sha256", text, "hex") : crypto.createHash("sha256").update(text, "utf8").digest("hex")).slice(0, 32);
}

/**
 * A finding's fingerprint; a finding with no entity (a rule that could not run) is kind `rule`, ref "".
 * A live audit's entity that names its account is fingerprinted with it (`<account>:<ref>`): API
 * Gateway ARNs carry no account id, so the same API id, stage or `/account` settings in two
 * accounts would otherwise be one resource to baselines and Security Hub.
 */
export function findingFingerprint(finding: Pick<InputFinding, "ruleId" | "entity">): string {
    const entity = finding.entity;
    return fingerprintOf(finding.ruleId, entity?.kind ?? "rule", entity !== undefined ? identityRef(entity.ref, entity.provenance) : "");
}

/** The entity's ref, qualified by its account when it is a live audit's entity that names one. */
export function identityRef(ref: string, provenance: { readonly source?: unknown; readonly account?: unknown } | undefined): string {
    return provenance?.source === "aws" && typeof provenance.account === "string" ? `${provenance.account}:${ref}` : ref;
}

/**
 * The fingerprint the finding had before audits named their account: a baseline written then
 * still matches (see `buildReport`). Undefined when the finding's fingerprint never changed.
 */
export function unqualifiedFingerprint(finding: Pick<InputFinding, "ruleId" | "entity">): string | undefined {
    const entity = finding.entity;
    return entity !== undefined && identityRef(entity.ref, entity.provenance) !== entity.ref ? fingerprintOf(finding.ruleId, entity.kind, entity.ref) : undefined;
}
