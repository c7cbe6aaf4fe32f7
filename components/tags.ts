import * as pulumi from "@pulumi/pulumi";

/**
 * Tag keys the components write. `apigateway-api-key-max-age` reads ROTATED_AT_TAG (its
 * `rotationTagKey` default), which is known at preview, unlike a new key's `createdDate`.
 */
export const ROTATED_AT_TAG = "apigw-guard:rotated-at";
/** When the key's slot is next renewed (informational; RFC3339). */
export const ROTATES_AT_TAG = "apigw-guard:rotates-at";
/** Which of the two rotation slots a key fills. */
export const SLOT_TAG = "apigw-guard:slot";
/** Which component created the resource. */
export const MANAGED_BY_TAG = "apigw-guard:managed-by";

/**
 * Adds the managed-by tag (and `extra` tags, which win over the user's) without turning known
 * user tags into an Output: tags that are plain stay known at preview.
 */
export function withManagedBy(
    tags: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined,
    component: string,
    extra: Readonly<Record<string, string>> = {},
): pulumi.Input<Record<string, pulumi.Input<string>>> {
    const managed = { [MANAGED_BY_TAG]: component, ...extra };
    if (tags === undefined) {
        return managed;
    }
    if (pulumi.Output.isInstance(tags)) {
        return tags.apply(t => ({ ...t, ...managed }));
    }
    return { ...tags, ...managed };
}
