"""The browser wizard: the whole curator workflow in a local web app (Streamlit).

``eucaim-wizard ui [PROJECT.yaml | DATA | ARX.deid]`` (:func:`launch`) starts the app of
:mod:`eucaim_wizard.ui.app` on 127.0.0.1 only, with the settings health data asks for
(:func:`server_options`): no usage statistics, XSRF protection on, a stated upload limit, no
file watcher, no error details in the page. The sessions' temporary files go into one folder
that is removed when the server stops.

The pages are a thin layer over the library; what they compute is in
:class:`~eucaim_wizard.ui.session.Session` and the ``*_view`` modules, testable without a
browser.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

#: the largest file the Data page accepts as an upload, in MB (a path has no limit)
MAX_UPLOAD_MB = 1024
DEFAULT_PORT = 8501
HOST = "127.0.0.1"


def server_options(port: int, *, upload_mb: int = MAX_UPLOAD_MB) -> dict[str, str]:
    """Streamlit's settings for the wizard (``--name value`` options of ``streamlit run``)."""
    return {
        "server.address": HOST,
        "server.port": str(port),
        "server.headless": "true",                 # the launcher opens the browser itself
        "server.enableXsrfProtection": "true",
        "server.enableCORS": "true",
        "server.maxUploadSize": str(upload_mb),
        "server.fileWatcherType": "none",
        "server.runOnSave": "false",
        "browser.gatherUsageStats": "false",       # no request leaves the machine
        "browser.serverAddress": HOST,
        "client.showErrorDetails": "none",          # errors are the library's paragraphs, never tracebacks
        "client.toolbarMode": "minimal",
        "global.developmentMode": "false",
        "theme.base": "light",
        "logger.level": "warning",
    }


def free_port(preferred: int = DEFAULT_PORT) -> int:
    """``preferred`` if it is free on 127.0.0.1, else a free port the system gives."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise OSError("no free port on 127.0.0.1")


def command(port: int, *, upload_mb: int = MAX_UPLOAD_MB) -> list[str]:
    """The command line that serves the app."""
    app = Path(__file__).with_name("app.py")
    options = [f"--{name}={value}" for name, value in server_options(port, upload_mb=upload_mb).items()]
    return [sys.executable, "-m", "streamlit", "run", str(app), *options]


def launch(target: str | Path | None = None, *, port: int = DEFAULT_PORT, open_browser: bool = True,
           upload_mb: int = MAX_UPLOAD_MB, announce: Callable[[str], None] | None = None) -> int:
    """Serve the wizard until interrupted; returns the server's exit code.

    ``target`` (a table, a project file, an ARX project or a DICOM folder) is opened in every
    new session. ``announce`` is called with the address once the server listens.
    """
    tmp = Path(tempfile.mkdtemp(prefix="eucaim-wizard-ui-"))
    env = dict(os.environ, EUCAIM_UI_TMP=str(tmp), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    env.pop("EUCAIM_UI_OPEN", None)
    if target is not None:
        env["EUCAIM_UI_OPEN"] = str(Path(target).expanduser().resolve())
    address = f"http://{HOST}:{port}"
    server = None
    previous = signal.signal(signal.SIGTERM, _stop)  # (a terminated launcher stops its server too)
    try:
        server = subprocess.Popen(command(port, upload_mb=upload_mb), env=env)
        if _wait_listening(port, server) and announce is not None:
            announce(address)
        if open_browser and server.poll() is None:
            import webbrowser

            webbrowser.open(address)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(tmp, ignore_errors=True)


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def _wait_listening(port: int, server: subprocess.Popen, seconds: float = 30.0) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex((HOST, port)) == 0:
                return True
        time.sleep(0.05)
    return False


__all__ = ["DEFAULT_PORT", "HOST", "MAX_UPLOAD_MB", "command", "free_port", "launch", "server_options"]
