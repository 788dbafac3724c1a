"""browser.py - headless chromium through selenium (Debian's chromium, chromium-driver and
python3-selenium), for the web tests, the benchmark and docs/web.md's screenshot."""
from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def start_browser(width=1280, height=900):
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--disable-extensions", "--no-first-run",
                "--hide-scrollbars"):
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


def open_page(driver, url, wait_for):
    """Opens the board's page and waits until its event stream is live."""
    driver.get(url)
    wait_for(lambda: driver.execute_script(
        "const el = document.querySelector('[data-part=\"connection\"]'); return el && el.dataset.value === 'live'"),
        20, "the page's event stream")
