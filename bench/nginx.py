"""The project's nginx site (deploy/nginx-newsindex.conf) made to run on loopback, unprivileged:
its EDIT lines set for free ports, every path it writes in a work folder, and nginx's own
configuration around it. Used by the flood benchmark and by the cluster tests.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NGINX_SITE = PROJECT_ROOT / "deploy" / "nginx-newsindex.conf"
REFUSALS_LOG = "newsindex.refusals.log"  # the site's log of what nginx refused itself


def render_nginx_site(
    listen_port: int,
    node_ports: list[int],
    assets_root: Path,
    log_folder: Path,
    limits: bool = True,
) -> str:
    """The project's nginx site with its EDIT lines set: the listening port, the nodes, the folder
    of the site's files, and its logs in ``log_folder``; without its limits per client if not
    ``limits`` (to measure what they change). Fails if the site no longer has a line this
    rendering sets."""
    site = NGINX_SITE.read_text("utf-8")
    if not limits:
        site, dropped = re.subn(r"^\s*limit_(?:req|conn) [^\n]*\n", "", site, flags=re.MULTILINE)
        assert dropped, "the nginx site has no limits per client"
    server_line = re.compile(r"^(\s*)server \S+:\d+( [^;]*)?;$", re.MULTILINE)
    parameters = server_line.search(site)
    assert parameters, "the nginx site has no upstream server line"
    servers = "".join(
        f"{parameters.group(1)}server 127.0.0.1:{port}{parameters.group(2) or ''};\n"
        for port in node_ports
    )
    site, upstream_lines = server_line.subn("", site)
    site = re.sub(r"(upstream newsindex \{\n(?:\s*zone [^\n]*\n)?)", rf"\g<1>{servers}", site)
    site, listens = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen_port};", site)
    site = re.sub(r"\n\s*listen \[::\]:80;", "", site)
    site, roots = re.subn(r"root /srv/newsindex/var/www;", f"root {assets_root};", site)
    site, logs = re.subn(r"/var/log/nginx/", f"{log_folder}/", site)
    shape = (upstream_lines >= 1, listens, roots, logs)
    assert shape == (True, 1, 1, 2), f"the nginx site changed shape: {shape}"
    return site


def nginx_config(workdir: Path, site: Path) -> str:
    """nginx's own configuration, all its paths in ``workdir``, with ``site`` in its http block."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # else nginx cannot read its folder
    temp_paths = "".join(
        f"    {kind}_temp_path {workdir}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\ndaemon off;\npid {workdir}/nginx.pid;\n"
        f"error_log {workdir}/error.log warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"    access_log {workdir}/access.log;\n{temp_paths}"
        f"    include {site};\n}}\n"
    )


def nginx_binary() -> str:
    found = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
    assert found, "nginx is not installed (apt-get install nginx; .ci/run installs it)"
    return found


def nginx_command(workdir: Path, site_text: str) -> list[str]:
    """Write the site and nginx's configuration into ``workdir``; the command that runs nginx in
    the foreground with them (add ``-t`` to check them)."""
    workdir.mkdir(parents=True, exist_ok=True)
    site = workdir / "site.conf"
    site.write_text(site_text)
    config = workdir / "nginx.conf"
    config.write_text(nginx_config(workdir, site))
    return [nginx_binary(), "-p", str(workdir), "-c", str(config), "-e", str(workdir / "error.log")]
