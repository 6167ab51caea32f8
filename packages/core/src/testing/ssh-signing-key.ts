import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** A throwaway SSH signing key and the allowed_signers file a verifier would keep. */
export interface SshSigningKey {
  /** The private key's path (its public half sits beside it). */
  keyFile: string;
  /** The key's fingerprint, as `ssh-keygen -l` prints it (`SHA256:…`). */
  fingerprint: string;
  /** An allowed_signers file that trusts the key for `signer`. */
  allowedSigners: string;
}

/**
 * Test support (not exported from the package): makes an ed25519 key without a passphrase
 * under `dir` with the real `ssh-keygen`, trusted for the e-mail `signer`.
 */
export function createSshSigningKey(
  dir: string,
  name: string,
  comment: string,
  signer: string,
): SshSigningKey {
  const keyFile = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", keyFile]);
  const ssh = (args: string[]) => execFileSync("ssh-keygen", args, { encoding: "utf8" });
  const fingerprint = ssh(["-l", "-f", keyFile]).split(" ")[1]!;
  const allowedSigners = join(dir, "allowed_signers");
  writeFileSync(allowedSigners, `${signer} ${ssh(["-y", "-f", keyFile])}`);
  return { keyFile, fingerprint, allowedSigners };
}
