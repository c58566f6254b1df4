// Stands in for `semver` in the function bundles. aws-xray-sdk-core requires it only in its AWS SDK v2
// patcher (captureAWS), which orderflow never calls: Powertools' Tracer captures SDK v3 clients. The real
// package is 30 KB of every bundle. Any call means the v2 patcher is in use after all: fail loudly.
const unused = () => {
  throw new Error(
    'semver is not bundled: the AWS SDK v2 X-Ray patcher is not supported in orderflow functions',
  );
};
module.exports = { gte: unused, satisfies: unused, valid: unused, coerce: unused };
