"""What a web page hears: the page itself analyses the audio that reaches its phone (the
remote stream of its ``<audio>`` element) with the Web Audio API, per second of talk time,
as :mod:`tests.harness.tones` does for a phone's recording."""

from __future__ import annotations

from playwright.async_api import Page

from tests.harness.tones import SETTLE_SECONDS, Heard

# Ten looks a second at the spectrum of what the element plays; a look hears the tone when
# the loudest frequency is the tone's (within a few bins) and not silence.
_LISTEN = """async ([selector, hz, seconds]) => {
  const element = document.querySelector(selector);
  const stream = element && element.srcObject;
  if (!stream) { return null; }
  const context = new AudioContext();
  await context.resume();
  const analyser = context.createAnalyser();
  analyser.fftSize = 8192;
  analyser.smoothingTimeConstant = 0;
  context.createMediaStreamSource(stream).connect(analyser);
  const bins = new Float32Array(analyser.frequencyBinCount);
  const binHz = context.sampleRate / analyser.fftSize;
  const heard = [];
  for (let second = 0; second < seconds; second++) {
    let hits = 0;
    for (let look = 0; look < 10; look++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      analyser.getFloatFrequencyData(bins);
      let peak = 1;
      for (let bin = 2; bin < bins.length; bin++) { if (bins[bin] > bins[peak]) { peak = bin; } }
      if (Math.abs(peak * binHz - hz) <= 25 && bins[peak] > -70) { hits++; }
    }
    heard.push(hits >= 6);
  }
  await context.close();
  return heard;
}"""


async def page_hears(page: Page, hz: int, seconds: int, selector: str = "#phone-audio") -> Heard:
    """Per second over the next ``seconds``: the tone ``hz`` dominated what the page heard."""
    heard = await page.evaluate(_LISTEN, [selector, hz, seconds])
    assert heard is not None, f"{selector} plays no stream"
    return Heard([bool(second) for second in heard])


def assert_page_hears(heard: Heard, who: str, min_share: float = 0.9) -> None:
    judged = Heard(heard.seconds[int(SETTLE_SECONDS) :])
    assert judged.share >= min_share, (
        f"{who} in {judged.share:.0%} of {len(judged.seconds)} s (need {min_share:.0%}): "
        f"{judged.timeline()}"
    )


def assert_page_does_not_hear(heard: Heard, who: str, max_share: float = 0.1) -> None:
    judged = Heard(heard.seconds[int(SETTLE_SECONDS) :])
    assert judged.share <= max_share, (
        f"{who} in {judged.share:.0%} of {len(judged.seconds)} s (allowed {max_share:.0%}): "
        f"{judged.timeline()}"
    )
