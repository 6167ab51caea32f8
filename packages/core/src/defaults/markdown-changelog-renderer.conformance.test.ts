import { describeChangelogRendererConformance } from "../testing/index.js";
import { createMarkdownChangelogRenderer } from "./markdown-changelog-renderer.js";

describeChangelogRendererConformance("markdown", () => ({
  renderer: createMarkdownChangelogRenderer(),
}));
