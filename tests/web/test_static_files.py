"""Static URLs name their file's content, and the service worker that caches them follows a release."""

from __future__ import annotations

import hashlib
import re
import shutil


def shell_of(worker: str) -> tuple[str, list[str]]:
    """The service worker's cache name and the files it keeps."""
    name = re.search(r'var SHELL = "([\w-]+)";', worker)[1]
    return name, re.findall(r'"(/static/[^"]+)"', worker)


def test_a_release_changes_the_static_urls_and_so_the_service_worker(app, client, tmp_path):
    folder = tmp_path / "static"
    shutil.copytree(app.static_folder, folder)
    app.static_folder = str(folder)
    style = folder / "css" / "app.css"

    page = client.get("/offline").get_data(as_text=True)
    link = re.search(r'href="(/static/css/app\.css\?v=(\w+))"', page)
    assert link[2] == hashlib.sha256(style.read_bytes()).hexdigest()[:12]
    response = client.get("/sw.js")
    assert response.headers["Cache-Control"] == "no-cache" and response.mimetype == "text/javascript"
    shell, files = shell_of(response.get_data(as_text=True))
    assert link[1] in files and all("?v=" in url for url in files)
    assert set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page)) <= set(files)

    style.write_text(style.read_text(encoding="utf-8") + "\n/* the next release */\n", encoding="utf-8")
    released = re.search(r'href="(/static/css/app\.css\?v=\w+)"', client.get("/offline").get_data(as_text=True))[1]
    assert released != link[1]
    new_shell, new_files = shell_of(client.get("/sw.js").get_data(as_text=True))
    assert new_shell != shell and released in new_files and link[1] not in new_files
    assert client.get(released).get_data(as_text=True).endswith("/* the next release */\n")
