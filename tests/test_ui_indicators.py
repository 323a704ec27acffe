"""The 指标总览 tab in a real browser: the table and a chart render, a click on a cell opens its passage, and the
table and charts export. Its own server over a copy of seeds/ (fixtures of tests/test_ui.py)."""
import csv
import io

import pytest

from tests.test_ui import ARTIFACTS, app_url, browser, choose, page, settle, tab  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


def test_the_indicator_tab_shows_the_table_a_chart_and_opens_a_cells_passage(page):
    tab(page, "指标总览")
    page.wait_for_selector("#ind-table table", timeout=60000)
    grid = page.inner_text("#ind-table")
    assert "行政复议纠错率" in grid and "5.9%" in grid and "未写明" in grid
    page.wait_for_selector("#ind-bar img, #ind-bar canvas, #ind-bar svg", timeout=60000)
    assert "行政复议纠错率" in page.inner_text("#ind-elements") or "主要举措和成效" in page.inner_text("#ind-elements")
    page.locator("#ind-table").get_by_text("5.9%", exact=True).locator("visible=true").first.click()
    page.wait_for_selector("#ind-view #rv-focus", timeout=60000)
    view = page.inner_text("#ind-view")
    assert "纠错率5.9%" in view and "000_f67df9fa3c27168c.txt" in view and "章节：" in view
    assert page.locator("#ind-view mark.q").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "ui-indicators.png"), full_page=True)

    choose(page, "#ind-region", "安顺市西秀区")
    settle(page)
    grid = page.inner_text("#ind-table")
    assert "5.9%" in grid and "99.96%" not in grid           # 肇庆's 网上可办率 is filtered out


def exported(page, button: str, suffix: str) -> list[bytes]:
    page.click(button)
    page.wait_for_function("s => [...document.querySelectorAll('#ind-file a[download]')].some(a => "
                           "a.getAttribute('download').endsWith(s))", arg=suffix, timeout=60000)
    links = page.locator("#ind-file a[download]")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())
             if links.nth(i).get_attribute("download").endswith(suffix)]
    return [page.request.get(href).body() for href in hrefs]


def test_the_indicator_table_and_charts_export(page):
    tab(page, "指标总览")
    page.wait_for_selector("#ind-table table", timeout=60000)
    assert exported(page, "#ind-export", ".xlsx")[0][:2] == b"PK"
    page.get_by_label("CSV（长表：每格一行）").check()
    body = exported(page, "#ind-export", ".csv")[0].decode("utf-8")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["file", "region", "year", "indicator", "value", "quote", "section"]
    assert any(r[3] == "行政复议纠错率" and r[4] == "5.9%" for r in rows)
    assert all(png[:4] == b"\x89PNG" for png in exported(page, "#ind-export-chart", ".png"))


def test_the_indicator_table_is_an_api_endpoint(app_url):
    from gradio_client import Client

    client = Client(app_url[0], verbose=False)
    rows = client.predict("西秀区", "2022", "", api_name="/indicators")
    assert {r["file"] for r in rows} == {"000_f67df9fa3c27168c.txt"}
    fixed = next(r for r in rows if r["indicator"] == "行政复议纠错率")
    assert fixed["value"] == "5.9%" and "纠错率5.9%" in fixed["quote"] and fixed["section"]
    assert next(r for r in rows if r["indicator"] == "即办件")["value"] == "未写明"
