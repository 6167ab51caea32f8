import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The path of `bin` on PATH, or null when it is not installed. */
export function findOnPath(bin: string): string | null {
  return (
    (process.env.PATH ?? "")
      .split(delimiter)
      .map((d) => join(d, bin))
      .find((p) => existsSync(p)) ?? null
  );
}

/**
 * A self-signed certificate for 127.0.0.1, valid one day, made with the real `openssl` in
 * `dir` (`key.pem`, `cert.pem`): what the emulator serves TLS with, since client-go sends a
 * bearer token only over https.
 */
export async function selfSignedLocalCertificate(
  openssl: string,
  dir: string,
): Promise<{ key: string; cert: string }> {
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  await run(openssl, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "1",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
  ]);
  return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
}
