import { createHmac, randomBytes } from "crypto";

/**
 * Fingerprints let rules find two API keys with the same value without the model holding either
 * value. The HMAC key is random per process and never leaves it, so a fingerprint cannot be
 * reversed by a dictionary attack on a report or compared across runs.
 */
const processKey = randomBytes(32);

export function fingerprint(value: string): string {
    return createHmac("sha256", processKey).update(value, "utf8").digest("hex").slice(0, 32);
}
