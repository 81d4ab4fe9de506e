"""The generator page in a real headless Chromium: open, generate, download, check with the
native CLI; the model's bytes never leave the tab; 3MF import matches the native reader."""

from __future__ import annotations

import base64
import json
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from selenium.webdriver.common.keys import Keys

from browser_support import (DOCS, MESHES, WYRMLING, assert_model_not_sent, assert_private, assert_same_origin_in_netlog, decline_consent, generate, inspect, mesh, open_mesh,
                             pro_key, save_key, set_option, vitrine_bin)
from real_server import ROOT


# -- tests ---------------------------------------------------------------------------------
def test_generate_download_and_check_with_native_cli(browser, server):
    b = browser
    b.open()
    decline_consent(b)
    key = pro_key(server)
    save_key(b, key)
    path = mesh(WYRMLING)
    open_mesh(b, path)
    assert b.text("info-triangles") == "5,838"
    assert "28.1 × 37.5 × 65.1 mm" in b.text("info-size")
    assert "mm" in b.text("info-unit")
    DOCS.mkdir(exist_ok=True)
    b.driver.set_window_size(1280, 1000)
    b.js("window.scrollTo(0, 0)")
    b.driver.save_screenshot(str(DOCS / "web-before.png"))

    # The page must keep answering while the engine works: watch the main thread's long tasks.
    b.js("""window.longTasks = []; new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.longTasks.push(e.duration); }).observe({type: 'longtask'})""")
    result = generate(b)
    assert result["ok"], result
    assert b.js("return document.getElementById('status').textContent").startswith("Case ready")
    assert result["engine_ms"] > 300, "the engine ran too briefly for the responsiveness check to mean anything"
    longest = b.js("return Math.max(0, ...window.longTasks)")
    assert longest < result["engine_ms"] * 0.6, f"the page was blocked {longest:.0f} ms while the engine took {result['engine_ms']} ms"
    assert int(b.js("return document.getElementById('progress').dataset.updates")) >= 3, "the progress bar moved"
    assert b.js("return document.querySelector('#view-mode input:checked').value") == "assembled"
    b.driver.find_element("css selector", "#view-mode input[value=exploded]").click()
    b.driver.find_element("css selector", "#view-mode input[value=plate]").click()
    b.js("window.scrollTo(0, 0)")
    b.driver.save_screenshot(str(DOCS / "web-after.png"))

    threemf = b.download("download-3mf", ".3mf")
    report = inspect(threemf)
    assert report["objects"] == 2
    assert report["watertight"] and report["boundary_edges"] == 0 and report["non_manifold_edges"] == 0, report
    assert report["components"] == 2 and report["inside_out_components"] == 0
    assert report["bounds"]["min"][2] == pytest.approx(0, abs=1e-3), "parts rest on the plate"
    for name in ("front", "back"):
        button = b.driver.find_element("css selector", f"#download-stls button[aria-label*='{name}']")
        before = set(b.downloads.iterdir())
        button.click()
        part = b.wait(lambda: next((p for p in b.downloads.iterdir() if p not in before and p.name.endswith(f"-{name}.stl")), None),
                      f"{name}.stl")
        r = inspect(part)
        assert r["watertight"] and r["boundary_edges"] == 0 and r["volume_mm3"] > 0, (name, r)

    sent = assert_private(b, server, path.read_bytes(), b.network_log())
    # The page's own files and the license calls, all from the real server: the generation was counted.
    paths = {urlparse(e["params"]["request"]["url"]).path for e in sent}
    assert {"/", "/app/main.js", "/api/v1/license/validate", "/api/v1/license/generations"} <= paths, sorted(paths)
    # The DevTools log above is the page's own; the worker that reads the model and runs the
    # engine (and the service worker) show up in Chrome's NetLog, read once the browser is closed.
    b.quit()
    mine = {urlparse(r["url"]).path for r in assert_same_origin_in_netlog(b, server)}
    assert {"/app/worker.js", "/vitrine.js", "/vitrine.wasm", "/sw.js"} <= mine, sorted(mine)
    assert_model_not_sent(b, path.read_bytes(), witness=key.encode())


def test_drop_zone_opens_a_dropped_file(browser, server):
    b = browser
    b.open()
    decline_consent(b)
    path = mesh("scans/oded_human_man.obj")
    # A real drop event carrying a File, as the OS would deliver it (bytes handed in-process).
    b.js("""const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], arguments[1]));
      document.getElementById('dropzone').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));""",
         base64.b64encode(path.read_bytes()).decode(), path.name)
    b.wait(lambda: b.js("return !document.getElementById('generate').disabled"), "the dropped file to open")
    assert b.text("info-triangles") == "13,776"
    # A 1.8 m person: the guess is metres, and the mm/cm/m/in buttons rescale.
    assert b.js("return document.querySelector('.rescale button[aria-pressed=true]').textContent") == "m"
    assert b.text("info-size").startswith("1837")
    b.driver.find_element("css selector", ".rescale button[data-scale='10']").click()
    assert b.text("info-size").startswith("18.4")
    # The view answers the keyboard: arrows orbit, + zooms, 0 goes back.
    camera = "return JSON.stringify([vitrine.viewer.camera.yaw, vitrine.viewer.camera.distance])"
    home = b.js(camera)
    canvas = b.driver.find_element("id", "viewer")
    canvas.send_keys(Keys.ARROW_LEFT, "+")
    assert b.js(camera) != home
    canvas.send_keys("0")
    assert b.js(camera) == home


@pytest.mark.parametrize("relative", [
    "3mf/3mfc_MUSTPASS_MultipleItemsTransform.3mf",
    "3mf/3mfc_MUSTPASS_Components.3mf",
    "3mf/3mfc_MUSTPASS_NonReferencedObjects.3mf",
    "3mf/trimesh_featuretype.3MF",
    "3mf/trimesh_pyramids.3mf",
    "3mf/3mfc_cube_gears.3mf",
    "3mf/3mfc_multiple_cylinders.3mf",
    "3mf/trimesh_counterXP.3MF",
])
def test_3mf_import_matches_the_native_reader(browser, server, relative):
    b = browser
    b.open()
    decline_consent(b)
    path = mesh(relative)
    native = inspect(path)
    open_mesh(b, path)
    assert b.text("info-triangles") == f"{native['triangles']:,}"
    shown = [float(x) for x in b.text("info-size").replace(" mm", "").split(" × ")]
    for got, want in zip(shown, native["size_mm"]):
        assert got == pytest.approx(want, rel=2e-3, abs=0.06), (shown, native["size_mm"])


def test_errors_are_clear(browser, server):
    b = browser
    b.open()
    decline_consent(b)
    b.driver.find_element("id", "file-input").send_keys(str(mesh("3mf/3mfc_MUSTFAIL_BuildItemBadObjectId.3mf")))
    b.wait(lambda: not b.js("return document.getElementById('error').hidden"), "the error")
    assert "object" in b.text("error") and "MUSTFAIL" in b.text("error")
    save_key(b, pro_key(server))
    open_mesh(b, mesh(WYRMLING))
    used = server.generations_used
    counted = used()
    set_option(b, "clearance", 9)
    result = generate(b)
    assert not result["ok"] and "clearance 9 mm is out of range" in result["error"], result
    assert used() == counted, "options the engine would refuse are caught before a generation is counted"
    set_option(b, "clearance", 0.4)
    # The engine's own refusal reaches the page as it is: 65 m is no miniature.
    b.driver.find_element("css selector", ".rescale button[data-scale='1000']").click()
    result = generate(b)
    assert not result["ok"] and "outside the 5–300 mm a case is made for" in result["error"], result
    assert result["error"].startswith("The engine could not make a case:")
    # Without a key, the page says what to do instead of calling the engine.
    b.driver.find_element("id", "forget-key").click()
    result = generate(b)
    assert not result["ok"] and "start a free trial" in result["error"], result


def test_magnets_label_and_lid_style(browser, server):
    """The options the browser engine gained: magnets and a label make the CLI's case; the lid
    style has neither (its inputs turn off); bad values are named before a generation counts."""
    b = browser
    b.open()
    decline_consent(b)
    key = pro_key(server)
    save_key(b, key)
    path = mesh(WYRMLING)
    open_mesh(b, path)
    set_option(b, "resolution", 0.5)
    used = lambda: server.generations_used(key)
    counted = used()
    set_option(b, "magnets", "30x2")
    result = generate(b)
    assert not result["ok"] and "magnet diameter 30 mm is out of range: use 1 to 20 mm" in result["error"], result
    set_option(b, "magnets", "6x2")
    set_option(b, "label", "Wyrm\u00e9")
    result = generate(b)
    assert not result["ok"] and "label has a character without a glyph at position 5" in result["error"], result
    assert used() == counted, "options the engine would refuse are caught before a generation is counted"

    set_option(b, "label", "Wyrm")
    result = generate(b)
    assert result["ok"], result
    first = b.download("download-3mf", ".3mf")
    report = inspect(first)
    first.unlink()  # the lid case downloads under the same name next
    assert report["objects"] == 2 and report["watertight"] and report["inside_out_components"] == 0, report
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run([vitrine_bin(), "case", str(path), "-o", str(Path(tmp) / "case.3mf"), "--resolution", "0.5",
                              "--magnets", "6x2", "--label", "Wyrm", "--json"], capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        native = json.loads(run.stdout)
    assert report["triangles"] == sum(p["triangles"] for p in native["parts"]), (report["triangles"], native["parts"])
    assert report["volume_mm3"] == pytest.approx(sum(p["volume_mm3"] for p in native["parts"]), rel=1e-5)

    set_option(b, "style", "lid")
    assert b.js("const f = document.getElementById('options').elements; return f.magnets.disabled && f.label.disabled")
    result = generate(b)
    assert result["ok"], result
    names = b.js("return [...document.querySelectorAll('#download-stls button')].map((e) => e.textContent)")
    assert names == ["base.stl", "lid.stl"], names
    report = inspect(b.download("download-3mf", ".3mf"))
    assert report["objects"] == 2 and report["watertight"], report
    b.driver.find_element("css selector", "#view-mode input[value=plate]").click()
    assert b.js("return document.getElementById('options').elements.style.querySelector('[value=tray]').disabled")


def test_largest_mini_timing(browser, server):
    """Time from clicking Generate to the parts drawn, for the largest mini in the shared set."""
    b = browser
    b.open()
    decline_consent(b)
    save_key(b, pro_key(server))
    candidates = sorted(MESHES.glob("converted_stl/*ogre*.stl")) or [mesh("figures/rpgscad_mini_goblin_bow0.stl")]
    path = candidates[0]
    open_mesh(b, path)
    result = generate(b, timeout=600)
    assert result["ok"], result
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    line = (f"{path.name}: {b.text('info-triangles')} triangles, Generate -> parts shown {result['shown_ms']:.0f} ms "
            f"(ms: {result['timing']})")
    (out / "web-timing.txt").write_text(line + "\n")
    print(line)


def test_huge_mini_stays_interactive(browser, server):
    """A 2M-triangle mini: while the view moves, the clustered stand-in is drawn; at rest, all of it.
    Opt-in (the mesh is made by ../shared/tools/make-large-meshes.py): VITRINE_BIG_MESH=/tmp/big/ogre-2m.stl"""
    import os
    big = os.environ.get("VITRINE_BIG_MESH")
    if not big or not Path(big).exists():
        pytest.skip("set VITRINE_BIG_MESH to a 2M-triangle STL (../shared/tools/make-large-meshes.py makes one)")
    b = browser
    b.open()
    decline_consent(b)
    save_key(b, pro_key(server))
    started = time.monotonic()
    open_mesh(b, Path(big))
    opened = time.monotonic() - started
    # Five steps of a drag, back to back inside the page (a WebDriver round trip between them
    # could outlast the 200 ms rest timer and slip a full-detail frame in).
    frames = b.driver.execute_async_script("""const done = arguments[0], v = vitrine.viewer, out = [];
        (async () => { for (let i = 0; i < 5; i++) { const t = performance.now(); v.orbit(0.1, 0); await v.drawn();
          out.push([performance.now() - t, v.lastFrameCoarse]); } done(out); })()""")
    assert all(coarse for _, coarse in frames), "moving frames use the stand-in"
    rest = b.driver.execute_async_script("""const done = arguments[0], v = vitrine.viewer;
        setTimeout(() => v.drawn().then(() => done([v.lastFrameMs, v.lastFrameCoarse])), 400)""")
    assert rest[1] is False, "the resting frame has every triangle"
    result = generate(b, timeout=600)
    assert result["ok"], result
    moving = sorted(ms for ms, _ in frames[1:])[len(frames[1:]) // 2]
    line = (f"{Path(big).name}: {b.text('info-triangles')} triangles, opened in {opened:.1f} s, frame while moving "
            f"{moving:.0f} ms (median), at rest {rest[0]:.0f} ms, Generate -> parts shown {result['shown_ms']:.0f} ms")
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    with open(out / "web-timing.txt", "a") as f:
        f.write(line + "\n")
    print(line)


def test_phone_layout_fits_the_screen(browser, server):
    b = browser
    b.cdp("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    b.open()
    decline_consent(b)
    save_key(b, pro_key(server))
    open_mesh(b, mesh(WYRMLING))
    set_option(b, "resolution", 0.5)
    assert generate(b)["ok"]
    width = b.js("return document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone: it scrolls sideways"
    # Every control can be reached and is big enough to tap.
    small = b.js("""return [...document.querySelectorAll('button:not([hidden]), input:not([type=file]), select, textarea')]
      .map((e) => (e.type === 'checkbox' || e.type === 'radio' ? e.closest('label') : e))  // the label is the target
      .filter((e) => e.offsetParent && e.getBoundingClientRect().height < 24).map((e) => e.id || e.name || e.textContent)""")
    assert small == [], f"controls too small to tap: {small}"
