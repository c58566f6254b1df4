#!/usr/bin/env node
// The package's `bin`: `npx orderflow <command>` in a clone after `npm ci`. npx puts
// node_modules/.bin first on PATH, so `node` here is the project's Node.js 22 (the `node`
// devDependency); lib/require-node.ts stops with one line on any other major. tsx compiles the
// TypeScript sources on the fly, as `npm run orderflow` does with `node --import tsx`.
require('tsx/esm/api').register();
require('tsx/cjs/api').register();
require('./orderflow.ts');
