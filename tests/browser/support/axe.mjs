// axe-core, run inside a page: the accessibility rules a screen-reader user
// or a keyboard user would trip over, on what the page shows right now.
//
//   await seriousViolations(page)   [] when clean; otherwise one line per
//                                   serious or critical violation: the rule,
//                                   what it says, and the elements it found
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export async function seriousViolations(page) {
  // Evaluated, not added as a script tag: the page's Content-Security-Policy allows no inline script.
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    // axe leaves its experimental rules off; this one (the visible words of a
    // control must be in its accessible name, for people who steer by voice) matters here.
    const rules = { "label-content-name-mismatch": { enabled: true } };
    const { violations } = await globalThis.axe.run(document, { resultTypes: ["violations"], rules });
    return violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}
