// @shipgate/ci-github's sources (which this example type-checks through the
// `@shipgate/source` condition) rely on its ambient typing of Bottleneck's light build.
/// <reference path="../../../packages/ci-github/src/bottleneck-light.d.ts" />
