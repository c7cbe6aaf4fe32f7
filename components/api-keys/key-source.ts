import * as aws from "@pulumi/aws";

/** One API key a usage plan can attach. */
export interface AttachableApiKey {
    /** Appended to the attachment's resource name: the rotation slot, or "" for a single key. */
    readonly suffix: string;
    readonly apiKey: aws.apigateway.ApiKey;
}

/**
 * Anything that owns API keys a usage plan can attach: a RotatingApiKey (two slots) or a key
 * imported from CSV (one). Attachment resource names derive from `keyName`, never from a position
 * in a list, so removing one key leaves the other attachments untouched.
 */
export interface ApiKeySource {
    /** Stable, unique logical name of the key (the component or CSV row name). */
    readonly keyName: string;
    readonly attachableKeys: readonly AttachableApiKey[];
}
