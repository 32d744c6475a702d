/**
 * A small driver of Debian's headless Chromium for the browser tests: it starts
 * /usr/bin/chromium with a new profile and speaks the Chrome DevTools Protocol
 * over the WebSocket that Deno and Bun both have, so no test tool downloads a
 * browser of its own. Every wait is bounded; `close()` ends the browser and
 * removes its profile.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** A skip reason when the browser is not installed, else false. */
export function browserMissing(): string | false {
  return existsSync(CHROMIUM)
    ? false
    : `${CHROMIUM} is not installed (scripts/setup installs Debian's chromium)`;
}

// Headless as root on a machine with no network but loopback: no sandbox, no
// GPU, and none of the background fetches that would only be refused.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  "--mute-audio",
  "--window-size=800,600",
  "--remote-debugging-port=0",
  "--remote-debugging-address=127.0.0.1",
];

/** A CDP message from the browser: a reply (with `id`) or an event (with `method`). */
interface Message {
  id?: number;
  method?: string;
  sessionId?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

/** Rejects with `what` timed out after `ms`, unless `promise` settles first. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** One WebSocket to the browser; commands to a page carry that page's session id (flat mode). */
class Cdp {
  readonly #socket: WebSocket;
  readonly #replies = new Map<number, (message: Message) => void>();
  readonly #watchers = new Set<(message: Message) => void>();
  #nextId = 1;
  #closedBecause: string | null = null;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as Message;
      if (message.id !== undefined) {
        this.#replies.get(message.id)?.(message);
        this.#replies.delete(message.id);
      } else {
        for (const watch of [...this.#watchers]) watch(message);
      }
    };
    socket.onclose = () => {
      this.#closedBecause = "the DevTools connection closed";
      for (const reply of this.#replies.values()) {
        reply({ error: { code: -1, message: this.#closedBecause } });
      }
      this.#replies.clear();
    };
  }

  static open(url: string, ms: number): Promise<Cdp> {
    const socket = new WebSocket(url);
    const opened = new Promise<Cdp>((resolve, reject) => {
      socket.onopen = () => resolve(new Cdp(socket));
      socket.onerror = () => reject(new Error(`Cannot connect to ${url}`));
    });
    return within(opened, ms, `WebSocket to ${url}`);
  }

  /** Sends a command and resolves with its result; a CDP error rejects. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string, ms = 10_000) {
    if (this.#closedBecause !== null) return Promise.reject(new Error(`${method}: ${this.#closedBecause}`));
    const id = this.#nextId++;
    const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.#replies.set(id, (message) => {
        if (message.error) reject(new Error(`${method}: ${message.error.message}`));
        else resolve(message.result ?? {});
      });
    });
    this.#socket.send(JSON.stringify({ id, method, params, sessionId }));
    return within(reply, ms, method).finally(() => this.#replies.delete(id));
  }

  /** Resolves with the params of the next event `method` of `sessionId`; call before causing it. */
  next(method: string, sessionId: string, ms: number): Promise<Record<string, unknown>> {
    let watch: (message: Message) => void = () => {};
    const seen = new Promise<Record<string, unknown>>((resolve) => {
      watch = (message) => {
        if (message.method === method && message.sessionId === sessionId) resolve(message.params ?? {});
      };
      this.#watchers.add(watch);
    });
    return within(seen, ms, `waiting for ${method}`).finally(() => this.#watchers.delete(watch));
  }

  close(): void {
    this.#closedBecause ??= "the DevTools connection was closed";
    this.#socket.close();
  }
}

/** One tab. */
export class Page {
  readonly #cdp: Cdp;
  readonly #session: string;

  constructor(cdp: Cdp, session: string) {
    this.#cdp = cdp;
    this.#session = session;
  }

  /** Loads `url` and resolves once its load event fired (scripts, styles and images are in). */
  async navigate(url: string, ms = 10_000): Promise<void> {
    const loaded = this.#cdp.next("Page.loadEventFired", this.#session, ms);
    loaded.catch(() => {}); // awaited below unless navigation fails first
    const result = await this.#cdp.send("Page.navigate", { url }, this.#session, ms);
    if (typeof result.errorText === "string") throw new Error(`Cannot load ${url}: ${result.errorText}`);
    await loaded;
  }

  /** Evaluates `expression` in the page (a promise is awaited) and returns its value as JSON. */
  async evaluate<T>(expression: string, ms = 10_000): Promise<T> {
    const result = await this.#cdp.send(
      "Runtime.evaluate",
      { expression, returnByValue: true, awaitPromise: true },
      this.#session,
      ms,
    );
    const thrown = result.exceptionDetails as
      | { exception?: { description?: string }; text?: string }
      | undefined;
    if (thrown) throw new Error(`The page threw: ${thrown.exception?.description ?? thrown.text}`);
    return (result.result as { value: T }).value;
  }

  /** A PNG of what the tab shows. */
  async screenshot(ms = 10_000): Promise<Uint8Array> {
    const result = await this.#cdp.send("Page.captureScreenshot", { format: "png" }, this.#session, ms);
    const binary = atob(result.data as string);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }
}

/** A running Chromium with a profile of its own; `close()` ends both. */
export class Browser {
  readonly #child: ChildProcess;
  readonly #profile: string;
  readonly #exited: Promise<void>;
  #cdp: Cdp | null = null;
  #stderr = "";

  private constructor(child: ChildProcess, profile: string) {
    this.#child = child;
    this.#profile = profile;
    this.#exited = new Promise((resolve) => child.once("exit", () => resolve()));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (text: string) => (this.#stderr = (this.#stderr + text).slice(-8192)));
    child.stdout?.resume();
  }

  /** Starts Chromium and connects to it; on any failure nothing is left running. */
  static async launch(ms = 15_000): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), "ioring-chromium-"));
    const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, "about:blank"], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so that close() ends its helpers too
    });
    const browser = new Browser(child, profile);
    try {
      const url = await within(browser.#devtoolsUrl(), ms, "Chromium's DevTools address");
      browser.#cdp = await Cdp.open(url, ms);
      return browser;
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  /** What Chromium printed last on stderr, to explain a failure. */
  get stderr(): string {
    return this.#stderr;
  }

  /** Opens a new tab and attaches to it. */
  async newPage(): Promise<Page> {
    const cdp = this.#cdp!;
    const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true });
    const page = new Page(cdp, sessionId as string);
    await cdp.send("Page.enable", {}, sessionId as string);
    await cdp.send("Runtime.enable", {}, sessionId as string);
    return page;
  }

  /** Ends the browser (politely, then its whole process group) and removes its profile. */
  async close(): Promise<void> {
    if (this.#cdp !== null) {
      await this.#cdp.send("Browser.close", {}, undefined, 2000).catch(() => {});
      this.#cdp.close();
    }
    const exited = this.#child.exitCode !== null || this.#child.signalCode !== null;
    if (!exited) await within(this.#exited, 3000, "Chromium's exit").catch(() => {});
    if (this.#child.pid !== undefined) {
      try {
        process.kill(-this.#child.pid, "SIGKILL"); // helpers that outlived the browser process
      } catch {
        // the group is gone already
      }
    }
    await within(this.#exited, 3000, "Chromium's exit after SIGKILL").catch(() => {});
    rmSync(this.#profile, { recursive: true, force: true });
  }

  /** Resolves with the ws:// address Chromium prints once listening; rejects if it exits first. */
  #devtoolsUrl(): Promise<string> {
    return new Promise((resolve, reject) => {
      const look = () => {
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(this.#stderr);
        if (match) resolve(match[1]);
      };
      this.#child.stderr?.on("data", look);
      this.#child.once("error", (error) => reject(new Error(`Cannot start ${CHROMIUM}`, { cause: error })));
      this.#exited.then(() => reject(new Error(`${CHROMIUM} exited before listening:\n${this.#stderr}`)));
    });
  }
}
