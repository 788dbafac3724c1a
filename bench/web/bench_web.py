"""bench_web.py BUILD_DIR [SECONDS] - duet-board run --web's figures, in headless chromium:

  web.post_to_page.median_ms, .max_ms  from a page's POST of "pin" to the M7's Serial (on
                                       which the program turns D7 over) to the page showing D7's
                                       new level
  web.post.median_ms                   the baseline: that POST's own round trip
  web.pin_to_page.median_ms, .max_ms   the first less the second: from the POST's answer (when
                                       the M7 has the line) to the page showing the change
  web.pace.blank.loops_per_s           the test program's loops a second, the browser's three
                                       windows blank
  web.pace.three_pages.loops_per_s     the same with three windows on the board's page
  web.pace.three_pages.ratio_pct       the second over the first, in percent

The program (tests/web/web_board.c) toggles D2 every loop (about a kilohertz), so the pages
get a frame of changes every 25 ms throughout. The two paces are measured in turns (five of
each, SECONDS/5 long) with the same browser running, so that what else the machine does
weighs on both alike; each figure is the sum over its turns."""
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "web"))
from browser import open_page, start_browser  # noqa: E402
from web_run import Board, wait_for  # noqa: E402

BUILD = sys.argv[1]
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
TOOL = os.path.join(BUILD, "bin", "duet-board")
PROGRAM = os.path.join(BUILD, "bin", "web_board_m7")

LATENCY_JS = """
const done = arguments[arguments.length - 1];
const rounds = arguments[0];
const pin = document.querySelector('[data-part="D7"]');
const post = (path, body) => fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                          body: JSON.stringify(body)});
(async () => {
  const toPage = [], roundTrip = [];
  for (let i = 0; i < rounds; i++) {
    const shown = new Promise((resolve) => {
      const watch = new MutationObserver(() => { watch.disconnect(); resolve(performance.now()); });
      watch.observe(pin, {attributes: true, attributeFilter: ['data-value']});
    });
    const t0 = performance.now();
    await post('/api/serial', {text: 'pin\\n'});
    const t1 = performance.now();
    roundTrip.push(t1 - t0);
    const t2 = await shown;
    toPage.push([t2 - t0, Math.max(0, t2 - t1)]);
    await new Promise((r) => setTimeout(r, 30));
  }
  done([toPage, roundTrip]);
})();
"""


def figure(name, value, unit):
    print(f"figure: {name} = {value} {unit}", flush=True)


def loops_during(board, seconds):
    """(loops, ms) the program ran in about seconds."""
    n0, ms0 = board.loops()
    time.sleep(seconds)
    n1, ms1 = board.loops()
    return n1 - n0, ms1 - ms0


def show_in_tabs(driver, tabs, url, board):
    for tab in tabs:
        driver.switch_to.window(tab)
        if url:
            open_page(driver, url, wait_for)
        else:
            driver.get("about:blank")
    # The browser's pages of the board share one event stream (docs/web.md).
    wait_for(lambda: board.state()["pages"]["open"] == (1 if url else 0), 20, "the pages to open or close")


def main():
    driver = start_browser()
    try:
        with Board(TOOL, PROGRAM, args=["--quiet"], seconds=4 * SECONDS + 120) as board:
            wait_for(lambda: "D7" in board.state()["pins"], 20, "the program's pins")
            for _ in range(2):
                driver.switch_to.new_window("window")  # each shown: a hidden tab reads no events
            tabs = driver.window_handles
            totals = {"blank": [0, 0], "pages": [0, 0]}
            for _ in range(5):
                for kind in ("blank", "pages"):
                    show_in_tabs(driver, tabs, board.url if kind == "pages" else None, board)
                    n, ms = loops_during(board, SECONDS / 5)
                    totals[kind][0] += n
                    totals[kind][1] += ms
            blank = totals["blank"][0] / (totals["blank"][1] / 1000.0)
            three = totals["pages"][0] / (totals["pages"][1] / 1000.0)
            to_page, round_trip = driver.execute_async_script(LATENCY_JS, 40)
    finally:
        driver.quit()
    total = [t for t, _ in to_page]
    after = [a for _, a in to_page]
    figure("web.post_to_page.median_ms", round(statistics.median(total), 1), "ms")
    figure("web.post_to_page.max_ms", round(max(total), 1), "ms")
    figure("web.post.median_ms", round(statistics.median(round_trip), 1), "ms")
    figure("web.pin_to_page.median_ms", round(statistics.median(after), 1), "ms")
    figure("web.pin_to_page.max_ms", round(max(after), 1), "ms")
    figure("web.pace.blank.loops_per_s", round(blank, 1), "loops/s")
    figure("web.pace.three_pages.loops_per_s", round(three, 1), "loops/s")
    figure("web.pace.three_pages.ratio_pct", round(100.0 * three / blank, 1), "%")


main()
