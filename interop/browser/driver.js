#!/usr/bin/env node
// A headless Chromium driven line by line, for syncmesh's web page test (syncmesh-cli WebPageIT).
//
// Reads one JSON command per line on standard input and answers each with one JSON line on standard
// output, {"ok":true,"result":...} or {"ok":false,"error":"..."}, as the node line protocol does. The
// first line, before any command, reports the browser started (or why it could not be).
//
// Commands (every wait is bounded by timeoutMs, default 10000):
//   {"cmd":"open","url":U}                      load U in a new page
//   {"cmd":"waitFor","selector":S,"text":T}     until an element matching S shows text containing T
//   {"cmd":"waitCount","selector":S,"count":N}  until exactly N elements match S
//   {"cmd":"texts","selector":S}                the visible text of every element matching S
//   {"cmd":"fill","selector":S,"value":V}       type V into the input S
//   {"cmd":"click","selector":S}
//   {"cmd":"url"}                               the page's address now
//   {"cmd":"navigations"}                       how many documents the page has loaded (1: never reloaded)
//   {"cmd":"problems"}                          console errors, page errors and dialogs (alert...) so far
//   {"cmd":"screenshot","path":P}               a full-page PNG at P (folders made)
//   {"cmd":"quit"}
//
// The browser is the system's Chromium (CHROMIUM, default /usr/bin/chromium): playwright-core never
// downloads one.
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const { chromium } = require('playwright-core');

const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function reply(ok, value) {
  process.stdout.write(JSON.stringify(ok ? { ok: true, result: value ?? null } : { ok: false, error: String(value) }) + '\n');
}

async function main() {
  let browser;
  try {
    browser = await chromium.launch({ executablePath: EXECUTABLE, args: ARGS, headless: true });
  } catch (e) {
    reply(false, 'cannot start ' + EXECUTABLE + ': ' + e.message.split('\n')[0]);
    process.exit(1);
  }
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  let page = null;
  let navigations = 0;
  const problems = [];

  const commands = {
    async open({ url }) {
      page = await context.newPage();
      page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
      page.on('pageerror', (e) => problems.push('page error: ' + e.message));
      page.on('dialog', (d) => { problems.push('dialog: ' + d.type() + ' ' + d.message()); d.dismiss(); });
      page.on('load', () => navigations++); // a document loaded: history.replaceState is no load
      await page.goto(url, { waitUntil: 'load' });
      return page.url();
    },
    async waitFor({ selector, text, timeoutMs }) {
      await page.waitForFunction(([s, t]) => [...document.querySelectorAll(s)]
        .some((e) => e.textContent.includes(t)), [selector, text ?? ''], { timeout: timeoutMs ?? 10000 });
      return null;
    },
    async waitCount({ selector, count, timeoutMs }) {
      await page.waitForFunction(([s, n]) => document.querySelectorAll(s).length === n, [selector, count],
        { timeout: timeoutMs ?? 10000 });
      return null;
    },
    async texts({ selector }) {
      return page.$$eval(selector, (es) => es.map((e) => e.textContent));
    },
    async fill({ selector, value }) {
      await page.fill(selector, value);
      return null;
    },
    async click({ selector }) {
      await page.click(selector);
      return null;
    },
    async url() {
      return page.url();
    },
    async navigations() {
      return navigations;
    },
    async problems() {
      return problems;
    },
    async screenshot({ path: file }) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
  };

  reply(true, { browser: browser.version() });
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    let command;
    try {
      command = JSON.parse(line);
    } catch (e) {
      reply(false, 'not JSON: ' + e.message);
      continue;
    }
    if (command.cmd === 'quit') {
      reply(true, null);
      break;
    }
    const run = commands[command.cmd];
    if (!run) {
      reply(false, 'unknown command: ' + command.cmd);
      continue;
    }
    if (!page && command.cmd !== 'open') {
      reply(false, 'open a page first');
      continue;
    }
    try {
      reply(true, await run(command));
    } catch (e) {
      let shown = '';
      try { shown = page ? (await page.textContent('body')).replace(/\s+/g, ' ').slice(0, 2000) : ''; } catch (ignored) { /* closed */ }
      reply(false, e.message.split('\n')[0] + (shown ? ' | page shows: ' + shown : ''));
    }
  }
  await browser.close();
}

main().catch((e) => {
  reply(false, e.stack || String(e));
  process.exit(1);
});
