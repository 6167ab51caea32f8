import { err, ok, type Result } from "neverthrow";

/**
 * An OCI image reference split into its parts, following the grammar of
 * `github.com/distribution/reference` (the one the container runtimes and registries use).
 */
export interface ImageReference {
  /** Registry host (with port), or `null` when the reference names Docker Hub implicitly. */
  registry: string | null;
  /** Repository path, e.g. `acme/shop`. */
  repository: string;
  tag: string | null;
  /** `algorithm:hex`, e.g. `sha256:…`. */
  digest: string | null;
}

// The grammar, piece by piece, as in distribution/reference's regexp.go.
const alphaNumeric = "[a-z0-9]+";
const separator = "(?:[._]|__|[-]+)";
const pathComponent = new RegExp(`^${alphaNumeric}(?:${separator}${alphaNumeric})*$`);
const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const ipv6 = "\\[(?:[a-fA-F0-9:]+)\\]";
const domainPattern = new RegExp(`^(?:${domainName}|${ipv6})(?::[0-9]+)?$`);
const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const maxNameLength = 255;

/** True when `value` is a valid image tag (`[\w][\w.-]{0,127}`). */
export function isValidImageTag(value: string): boolean {
  return tagPattern.test(value);
}

/**
 * Parses an image reference such as `registry.example.com:5000/acme/shop:v1.4.0@sha256:…`.
 * Fails with a sentence saying what is wrong (never throws).
 */
export function parseImageReference(reference: string): Result<ImageReference, string> {
  if (reference.length === 0) return err("the image reference is empty");
  if (reference.trim() !== reference) return err("the image reference has surrounding spaces");
  let rest = reference;
  let digest: string | null = null;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) return err(`"${digest}" is not a valid digest`);
  }
  let tag: string | null = null;
  const lastColon = rest.lastIndexOf(":");
  if (lastColon > rest.lastIndexOf("/")) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!tagPattern.test(tag)) {
      return err(
        `"${tag}" is not a valid tag (letters, digits, "_", "." and "-", at most 128, not starting with "." or "-")`,
      );
    }
  }
  const name = rest;
  if (name.length === 0) return err("the image reference has no repository name");
  if (name.length > maxNameLength) {
    return err(`the repository name is longer than ${maxNameLength} characters`);
  }
  const components = name.split("/");
  let registry: string | null = null;
  const first = components[0]!;
  // The first component is a registry host only if it looks like one (as in distribution's splitDomain).
  if (
    components.length > 1 &&
    (first.includes(".") || first.includes(":") || first === "localhost" || /[A-Z]/.test(first))
  ) {
    if (!domainPattern.test(first)) return err(`"${first}" is not a valid registry host`);
    registry = first;
    components.shift();
  }
  for (const component of components) {
    if (component.length === 0) return err("the repository path has an empty component");
    if (/[A-Z]/.test(component)) {
      return err(`repository path component "${component}" must be lowercase`);
    }
    if (!pathComponent.test(component)) {
      return err(`"${component}" is not a valid repository path component`);
    }
  }
  return ok({ registry, repository: components.join("/"), tag, digest });
}

/** Formats an {@link ImageReference} back into its canonical string. */
export function formatImageReference(ref: ImageReference): string {
  let out = ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
  if (ref.tag !== null) out += `:${ref.tag}`;
  if (ref.digest !== null) out += `@${ref.digest}`;
  return out;
}

/** Values a placeholder in an image template may take. */
export interface ImageTemplateValues {
  version: string;
  service: string;
  environment: string;
  sha: string;
}

const placeholder = /\{\{\s*([a-z_]+)\s*\}\}/g;
const knownPlaceholders = new Set(["version", "service", "environment", "sha"]);

/** The names of placeholders in a template that are not supported, e.g. `["tag"]`. */
export function unknownTemplatePlaceholders(template: string): string[] {
  return [...template.matchAll(placeholder)]
    .map((m) => m[1]!)
    .filter((name) => !knownPlaceholders.has(name));
}

/** Fills `{{version}}`, `{{service}}`, `{{environment}}` and `{{sha}}` in a template. */
export function renderTemplate(template: string, values: ImageTemplateValues): string {
  return template.replace(placeholder, (whole, name: string) =>
    knownPlaceholders.has(name) ? values[name as keyof ImageTemplateValues] : whole,
  );
}

/** How the image for a version is made: `repository:version`, or a template. */
export type ImageSource = { repository: string } | { template: string };

/** The image reference for a target version. */
export function imageForVersion(source: ImageSource, values: ImageTemplateValues): string {
  return "repository" in source
    ? `${source.repository}:${values.version}`
    : renderTemplate(source.template, values);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Recovers the release version from a running image: by matching the image against the
 * template (where `{{version}}` sits), or else by taking the tag. `null` when neither works.
 */
export function versionFromImage(
  image: string,
  source: ImageSource,
  values: Omit<ImageTemplateValues, "version">,
): string | null {
  const template = "repository" in source ? `${source.repository}:{{version}}` : source.template;
  let pattern = "";
  let last = 0;
  for (const m of template.matchAll(placeholder)) {
    pattern += escapeRegExp(template.slice(last, m.index));
    const name = m[1]!;
    pattern +=
      name === "version"
        ? "(?<version>[\\w][\\w.-]{0,127})"
        : escapeRegExp(values[name as keyof typeof values] ?? "");
    last = (m.index ?? 0) + m[0].length;
  }
  pattern += escapeRegExp(template.slice(last));
  const match = new RegExp(`^${pattern}$`).exec(image);
  if (match?.groups?.version) return match.groups.version;
  const parsed = parseImageReference(image);
  return parsed.isOk() ? parsed.value.tag : null;
}
