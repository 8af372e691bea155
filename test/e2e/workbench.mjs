// Driving the VS Code workbench in Chromium the way a person does: activity bar, command palette, quick
// picks, tree rows, the Problems panel and webviews (nested iframes). Every wait polls with a budget.
import { poll } from './codeServer.mjs';

export class Workbench {
  constructor(page, shotsDir) {
    this.page = page;
    this.shotsDir = shotsDir;
    this.shots = [];
  }

  async open(url, folder) {
    await this.page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
    await this.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // The explorer shows the folder once the workbench is usable.
    await poll('the workbench to finish restoring', async () => (await this.page.locator('.part.activitybar').count()) > 0, 60_000);
  }

  async screenshot(name) {
    Workbench.count = (Workbench.count ?? 0) + 1;
    const file = `${this.shotsDir}/${String(Workbench.count).padStart(2, '0')}-${name}.png`;
    await this.page.screenshot({ path: file });
    this.shots.push(file);
    return file;
  }

  /** Runs a command through the command palette (F1), picking the entry whose label is exactly `label`. */
  async command(label) {
    await this.closeQuickInput();
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${label}`);
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await poll(`palette entry "${label}"`, async () => ((await row.getAttribute('aria-label')) ?? '').includes(label), 10_000);
    await input.press('Enter');
  }

  async closeQuickInput() {
    if (await this.page.locator('.quick-input-widget').isVisible().catch(() => false)) await this.page.keyboard.press('Escape');
  }

  /**
   * Does `act` (a click on a tree row or one of its actions) until `effect` holds, at most `tries` times. A click
   * that lands while VS Code re-renders the row (its tree refreshed after a watch event) runs the command
   * without its element, or not at all ("Actual command not found"); a person then clicks again, and so does this.
   */
  async untilEffect(what, act, effect, { tries = 3, budgetMs = 10_000 } = {}) {
    let last;
    for (let i = 0; i < tries; i++) {
      await act();
      try {
        return await poll(what, effect, budgetMs);
      } catch (e) {
        last = e;
        console.log(`(no effect after click ${i + 1} of ${tries}: ${what}; clicking again)`);
        await this.closeQuickInput();
      }
    }
    throw last;
  }

  /** Whether the open quick pick (titled with `title`) shows an item matching `text` once filtered by it. */
  async quickPickOffers(text, title) {
    const widget = this.page.locator('.quick-input-widget');
    if (!(await widget.isVisible())) return false;
    if (!((await widget.locator('.quick-input-title').textContent().catch(() => '')) ?? '').includes(title)) return false;
    const input = widget.locator('input.input');
    if ((await input.inputValue()) !== text) await input.fill(text);
    return (await widget.locator('.monaco-list-row', { hasText: text }).count()) > 0;
  }

  /** In an open quick pick: filter by `text` and accept the first matching item. */
  async pick(text, { title } = {}) {
    const widget = this.page.locator('.quick-input-widget');
    if (title) await poll(`quick pick "${title}"`, async () => ((await widget.locator('.quick-input-title').textContent().catch(() => '')) ?? '').includes(title), 15_000);
    // 30 s budgets: on 2 shared cores under load a quick pick once took over 15 s to appear.
    const input = widget.locator('input.input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(text);
    const row = widget.locator('.monaco-list-row', { hasText: text }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await input.press('Enter');
  }

  /** Visible rows of the tree in the view named `viewTitle`, as their aria labels and texts. */
  async treeRows(viewTitle) {
    const pane = this.page.locator('.pane', { has: this.page.locator('.pane-header', { hasText: viewTitle }) });
    return pane.locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => ({ label: r.getAttribute('aria-label') ?? '', text: r.textContent ?? '', expanded: r.getAttribute('aria-expanded') })));
  }

  treeRow(viewTitle, text) {
    const pane = this.page.locator('.pane', { has: this.page.locator('.pane-header', { hasText: viewTitle }) });
    return pane.locator('.monaco-list-row', { hasText: text }).first();
  }

  /** The Problems panel rows' texts (opened with its command). */
  async problems() {
    return this.page.locator('.markers-panel .monaco-list-row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('aria-label') ?? ''} ${r.textContent ?? ''}`));
  }

  /** The active webview's content frame (webviews are nested iframes). */
  webview() {
    return this.page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
  }
}
