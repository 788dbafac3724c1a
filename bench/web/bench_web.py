"""bench_web.py BUILD_DIR [SECONDS] - duet-board run --web's figures, in headless chromium:

  web.pin_to_page.median_ms, .max_ms  from the page typing "pin" into the M7's Serial to the
                                      page showing D7 turned over (the program turns it at once)
  web.post.median_ms                  the baseline: the same POST's own round trip
  web.pace.alone.loops_per_s          the test program's loops a second, no page open
  web.pace.three_pages.loops_per_s    the same with three pages open
  web.pace.three_pages.ratio_pct      the second over the first, in percent

The program (tests/web/web_board.c) toggles D2 every loop (about a kilohertz), so the pages
get a frame of changes every 25 ms throughout."""
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
    roundTrip.push(performance.now() - t0);
    toPage.push(await shown - t0);
    await new Promise((r) => setTimeout(r, 30));
  }
  done([toPage, roundTrip]);
})();
"""


def figure(name, value, unit):
    print(f"figure: {name} = {value} {unit}", flush=True)


def pace(board, seconds):
    n0, ms0 = board.loops()
    time.sleep(seconds)
    n1, ms1 = board.loops()
    return (n1 - n0) / ((ms1 - ms0) / 1000.0)


def main():
    driver = start_browser()
    try:
        with Board(TOOL, PROGRAM, args=["--quiet"], seconds=4 * SECONDS + 120) as board:
            wait_for(lambda: "D7" in board.state()["pins"], 20, "the program's pins")
            alone = pace(board, SECONDS)
            open_page(driver, board.url, wait_for)
            for _ in range(2):
                driver.switch_to.new_window("tab")
                open_page(driver, board.url, wait_for)
            wait_for(lambda: board.state()["pages"]["open"] == 3, 20, "three pages")
            three = pace(board, SECONDS)
            to_page, round_trip = driver.execute_async_script(LATENCY_JS, 40)
    finally:
        driver.quit()
    figure("web.pin_to_page.median_ms", round(statistics.median(to_page), 1), "ms")
    figure("web.pin_to_page.max_ms", round(max(to_page), 1), "ms")
    figure("web.post.median_ms", round(statistics.median(round_trip), 1), "ms")
    figure("web.pace.alone.loops_per_s", round(alone, 1), "loops/s")
    figure("web.pace.three_pages.loops_per_s", round(three, 1), "loops/s")
    figure("web.pace.three_pages.ratio_pct", round(100.0 * three / alone, 1), "%")


main()
