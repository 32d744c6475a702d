// The HTTP server as a browser uses it: headless Chromium loads a page from
// serve + serveDir with its stylesheet, script, image and video, and the DOM
// shows each of them arrived and worked; the video is fetched with ranges.
import assert from "node:assert/strict";
import { serve, serveDir } from "../http/mod.ts";
import { Browser, browserMissing, type Page } from "./_browser.ts";
import { test } from "./_harness.ts";

const SITE = new URL("./fixtures/site/", import.meta.url).pathname;

/** One response of the site: what was asked for and what was answered. */
interface Exchange {
  path: string;
  range: string | null;
  status: number;
}

/** Serves the fixture site on a free port, noting every exchange. */
function startSite(): { origin: string; exchanges: Exchange[]; stop: () => Promise<void> } {
  const exchanges: Exchange[] = [];
  const server = serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const response = await serveDir(req, { fsRoot: SITE, quiet: true });
    const range = req.headers.get("range");
    exchanges.push({ path: new URL(req.url).pathname, range, status: response.status });
    return response;
  });
  return { origin: `http://127.0.0.1:${server.addr.port}`, exchanges, stop: () => server.shutdown() };
}

/** What the page shows once loaded: each resource's effect, read from the DOM. */
interface PageState {
  titleColor: string;
  background: string;
  status: string;
  appFlag: string | undefined;
  image: { complete: boolean; naturalWidth: number; naturalHeight: number };
  viewport: { width: number; height: number };
}

const READ_PAGE = `(async () => {
  const image = document.getElementById("logo");
  await image.decode();
  return {
    titleColor: getComputedStyle(document.getElementById("title")).color,
    background: getComputedStyle(document.body).backgroundColor,
    status: document.getElementById("status").textContent,
    appFlag: document.body.dataset.app,
    image: { complete: image.complete, naturalWidth: image.naturalWidth, naturalHeight: image.naturalHeight },
    viewport: { width: innerWidth, height: innerHeight },
  };
})()`;

/** What the video element says: HAVE_CURRENT_DATA is readyState 2; `error` is a MediaError code. */
interface VideoState {
  readyState: number;
  duration: number;
  error: number | null;
}

// Resolves once the video has a frame to show (readyState 2, HAVE_CURRENT_DATA) or fails to load, and at
// the latest after 8 s, with what the element says then.
const READ_VIDEO = `new Promise((resolve) => {
  const video = document.getElementById("clip");
  const report = () => resolve({ readyState: video.readyState, duration: video.duration, error: video.error?.code ?? null });
  if (video.readyState >= 2) return report();
  video.addEventListener("loadeddata", report, { once: true });
  video.addEventListener("error", report, { once: true });
  setTimeout(report, 8000);
})`;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The width and height in a PNG's IHDR chunk, after checking the signature. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE, "a PNG signature");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

async function checkPage(page: Page): Promise<PageState> {
  const state = await page.evaluate<PageState>(READ_PAGE);
  assert.equal(state.titleColor, "rgb(0, 128, 0)", "style.css applied");
  assert.equal(state.background, "rgb(250, 250, 240)", "style.css applied");
  assert.equal(state.status, "app.js ran");
  assert.equal(state.appFlag, "ready");
  assert.deepEqual(state.image, { complete: true, naturalWidth: 64, naturalHeight: 48 }, "logo.png decoded");
  return state;
}

test(
  "Chromium shows a page from serveDir: styles, script, image, and a video fetched in ranges",
  async () => {
    const site = startSite();
    let browser: Browser | null = null;
    try {
      browser = await Browser.launch();
      const page = await browser.newPage();
      await page.navigate(`${site.origin}/index.html`);
      const state = await checkPage(page);

      const video = await page.evaluate<VideoState>(READ_VIDEO);
      assert.equal(video.error, null, "the video loaded without a media error");
      assert.ok(video.readyState >= 2, `the video has a frame (readyState ${video.readyState})`);
      assert.ok(Math.abs(video.duration - 2) < 0.05, `the video lasts 2 s (${video.duration})`);

      const clip = site.exchanges.filter((e) => e.path === "/clip.webm");
      assert.ok(clip.length > 0, "the browser asked for the video");
      assert.ok(clip.every((e) => e.range !== null && e.status === 206), JSON.stringify(clip));
      for (const path of ["/index.html", "/style.css", "/app.js", "/logo.png"]) {
        assert.ok(site.exchanges.some((e) => e.path === path && e.status === 200), `${path} was served`);
      }

      const shot = pngSize(await page.screenshot());
      assert.deepEqual(shot, state.viewport, "the screenshot is a PNG of the page's size");
    } catch (error) {
      if (browser) console.error(`Chromium's last words:\n${browser.stderr}`);
      throw error;
    } finally {
      await browser?.close();
      await site.stop();
    }
  },
  { skip: browserMissing(), timeout: 30_000 },
);
