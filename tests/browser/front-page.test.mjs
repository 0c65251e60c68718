// What a newcomer does first: open the server's front page, create a session
// with the admin secret, open two of its links in two browser windows, join,
// and talk: each window plays what the other's microphone picked up.
import assert from "node:assert/strict";
import { test } from "node:test";

import { screenshot } from "./support/browser.mjs";
import { audioStats, hears, joinPage, waitUntil, webClientRig } from "./support/webClient.mjs";

const rig = webClientRig();

test("a session created on the front page, joined from two windows, where both are heard", async () => {
  const admin = await rig.browser.person("admin");
  await admin.page.goto(`${rig.server.url}/`);
  await admin.page.getByLabel("Admin secret").fill("not the secret");
  await admin.page.getByRole("button", { name: "Create session" }).click();
  await admin.page.getByRole("alert").getByText(/^Not created: /).waitFor();

  await admin.page.getByLabel("Admin secret").fill(rig.server.adminSecret);
  await admin.page.getByLabel("Name", { exact: true }).fill("First try");
  await admin.page.getByLabel(/^People, one per line/).fill("Dr Ada: facilitator\nDr Cy: participant");
  await admin.page.getByRole("button", { name: "Create session" }).click();
  const links = admin.page.getByTestId("invite-links");
  await links.getByText("Dr Cy").waitFor();
  await screenshot(admin.page, "01-session-created");
  const link = (name) => links.getByLabel(`Link for ${name}`).inputValue();

  const ada = await rig.browser.person("ada");
  const cy = await rig.browser.person("cy");
  await joinPage(ada, await link("Dr Ada"));
  await joinPage(cy, await link("Dr Cy"));
  await ada.page.getByRole("button", { name: "Start: Check-in" }).click();
  // The server chose the ids: read them off the roster.
  const idOf = async (page, name) => page.getByTestId("roster").locator("li", { hasText: name }).getAttribute("data-participant");
  const cyOnAda = await idOf(ada.page, "Dr Cy");
  const adaOnCy = await idOf(cy.page, "Dr Ada");
  await hears(ada.page, cyOnAda, 25);
  await hears(cy.page, adaOnCy, 25);
  for (const person of [ada, cy]) {
    await waitUntil(person.page, async (p) => (await audioStats(p)).decoded >= 25, `${person.name}'s speaker decoding`);
    await waitUntil(person.page, async (p) => (await audioStats(p)).loudest > 0.01, `${person.name} playing sound`);
  }
  await screenshot(cy.page, "02-member-talking");
  for (const person of [ada, cy]) assert.deepEqual(person.errors, [], `${person.name}'s console`);
  // Chromium reports the refused first try (401) itself; nothing else may appear.
  assert.deepEqual(admin.errors.filter((e) => !/status of 401/.test(e)), [], "the front page's console");
});
