"""Write the web app's own files (stylesheet, icons) for nginx to serve from disk.

The pages link them under fingerprinted names (``/assets/site.3f2a9c01d4.css``: a hash of the
file's bytes, so browsers may keep them a year). This writes each one under that name, with a
gzipped copy beside it where compressing helps (nginx's ``gzip_static``), into ``FOLDER/assets/``:
the folder that deploy/nginx-newsindex.conf names as its ``root``. Run it on the nginx machine with
each release, with the project's Python:

    /srv/newsindex/.venv/bin/python /srv/newsindex/deploy/export_assets.py /srv/newsindex/var/www

Files of earlier releases stay (a page still in a cache may link them). Each file is written whole
and renamed into place, so nginx never sends part of one; a name not there goes to the web nodes,
which serve every name they link.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from webui.assets import load_assets


def export_assets(folder: Path) -> list[str]:
    """Write every asset into ``folder/assets`` under its fingerprinted name; the names."""
    target = folder / "assets"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for key, asset in sorted(load_assets().items()):
        if key != asset.url_name:
            continue  # each asset is listed under its own name too
        _write_whole(target / asset.url_name, asset.data)
        if asset.gzipped is not None:
            _write_whole(target / f"{asset.url_name}.gz", asset.gzipped)
        written.append(asset.url_name)
    return written


def _write_whole(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: export_assets.py FOLDER  (nginx's root: the files go to FOLDER/assets/)")
        return 2
    for name in export_assets(Path(argv[0])):
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
