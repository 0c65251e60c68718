// Where the browser tests find the repository, the built binaries and their
// output folder. One place, so that server.mjs, cli.mjs and browser.mjs agree
// with each other and with deploy/test.sh (which sets BALINT_BUILD_DIR and
// BALINT_TEST_OUTPUT).
//
//   repoRoot                      the repository's top folder
//   buildDir()                    <repo>/$BALINT_BUILD_DIR, default <repo>/build
//   builtBinary(envName, rel)     $envName if set, else <buildDir>/<rel>; throws
//                                 a message that says how to get it if missing
//   outputDir()                   $BALINT_TEST_OUTPUT, else <buildDir>/browser-test-output
//                                 (created on first use)
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(fileURLToPath(import.meta.url), "../../../..");

// resolve(), not join(): BALINT_BUILD_DIR may be absolute.
export const buildDir = () => resolve(repoRoot, process.env.BALINT_BUILD_DIR || "build");

export function builtBinary(envName, relativePath) {
  const path = process.env[envName] || resolve(buildDir(), relativePath);
  if (!existsSync(path)) {
    throw new Error(`no binary at ${path}: build first (bash deploy/build.sh) or set ${envName}`);
  }
  return path;
}

export function outputDir() {
  const dir = resolve(repoRoot, process.env.BALINT_TEST_OUTPUT || resolve(buildDir(), "browser-test-output"));
  mkdirSync(dir, { recursive: true });
  return dir;
}
