"""screenshot.py - docs/web.md's picture of the page: the RPC servo example running with
--web, shot by the same headless chromium the tests use (make web-screenshot).
usage: screenshot.py DUET_BOARD RPC_SERVO_M7 RPC_SERVO_M4 OUT.png"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import open_page, start_browser  # noqa: E402
from web_run import Board, wait_for  # noqa: E402

tool, m7, m4, out = sys.argv[1:5]
driver = start_browser(1280, 1000)
try:
    with Board(tool, m7, m4, args=["--analog", "A0=700"]) as board:
        open_page(driver, board.url, wait_for)
        wait_for(lambda: board.state()["serial"]["text"].count("Servo angle is: 123") >= 3, 30,
                 "the servo to turn to A0's angle a few times")
        wait_for(lambda: driver.execute_script(
            "return document.querySelector('[data-part=\"servo\"]').dataset.value") == "123", 10, "the dial")
        driver.save_screenshot(out)
finally:
    driver.quit()
print(f"screenshot.py: wrote {out}")
