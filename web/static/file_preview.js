// A PDF shown in its preview page with pdf.js (from the npm registry, bundled by `make web`):
// each page drawn on a canvas in our own origin, so the browser's PDF viewer (absent in headless
// browsers and unlike ours in every other) is never needed. pdf.js runs no script of the
// document (scripting is off unless asked for) and, with eval refused, none of its own.
import * as pdfjs from "/static/vendor/pdf.js";

const MAX_PAGES = 30; // a longer document: the first pages, and the download for the rest
const holder = document.getElementById("pdf-pages");
const status = document.getElementById("pdf-status");

pdfjs.GlobalWorkerOptions.workerSrc = "/static/vendor/pdf.worker.js";

async function showPage(document, number) {
  const page = await document.getPage(number);
  const natural = page.getViewport({ scale: 1 });
  const scale = Math.min(2, holder.clientWidth / natural.width);
  const viewport = page.getViewport({ scale });
  const sharp = window.devicePixelRatio || 1;
  const canvas = window.document.createElement("canvas");
  canvas.width = Math.floor(viewport.width * sharp);
  canvas.height = Math.floor(viewport.height * sharp);
  canvas.style.width = `${Math.floor(viewport.width)}px`; // CSSOM: allowed by the page's CSP
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${holder.dataset.pageLabel} ${number} / ${document.numPages}`);
  canvas.dataset.page = String(number);
  holder.append(canvas);
  const transform = sharp === 1 ? null : [sharp, 0, 0, sharp, 0, 0];
  await page.render({ canvas, canvasContext: canvas.getContext("2d"), viewport, transform })
    .promise;
}

async function show() {
  try {
    const document = await pdfjs.getDocument({
      url: holder.dataset.src,
      isEvalSupported: false,
      enableXfa: false,
      useWasm: false,
      standardFontDataUrl: holder.dataset.fonts,
    }).promise;
    const shown = Math.min(document.numPages, MAX_PAGES);
    for (let number = 1; number <= shown; number += 1) {
      await showPage(document, number);
    }
    status.textContent = document.numPages > shown ? holder.dataset.cut : "";
    holder.dataset.shown = String(shown);
  } catch (error) {
    status.textContent = holder.dataset.failed;
    holder.dataset.shown = "0";
  }
}

show();
