'use strict';
// `require('boxwright')` lands here: Boxwright is an ES module package (its API is async and uses
// top-level await). Say so plainly instead of Node's "No exports main defined".
const error = new Error(
  "boxwright is an ES module package and cannot be loaded with require(). "
  + "Use `import { loadImage, buildImage } from 'boxwright'` in an ES module (\"type\": \"module\" or .mjs), "
  + "or `const { loadImage } = await import('boxwright')` from CommonJS.",
);
error.code = 'ERR_REQUIRE_ESM';
throw error;
