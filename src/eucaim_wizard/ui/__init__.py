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
import tempfile
import threading
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


def streamlit_arguments(port: int, *, upload_mb: int = MAX_UPLOAD_MB) -> list[str]:
    """The arguments of ``streamlit`` that serve the app: ``run APP --option=value ...``."""
    app = Path(__file__).with_name("app.py")
    options = [f"--{name}={value}" for name, value in server_options(port, upload_mb=upload_mb).items()]
    return ["run", str(app), *options]


def launch(target: str | Path | None = None, *, port: int = DEFAULT_PORT, open_browser: bool = True,
           upload_mb: int = MAX_UPLOAD_MB, announce: Callable[[str], None] | None = None) -> int:
    """Serve the wizard in this process until interrupted (Ctrl+C or SIGTERM); returns 0.

    ``target`` (a table, a project file, an ARX project or a DICOM folder) is opened in every
    new session. ``announce`` is called with the address once the server listens. The
    sessions' temporary folder is removed when the server stops.
    """
    from click.exceptions import Abort
    from streamlit.web import cli

    tmp = Path(tempfile.mkdtemp(prefix="eucaim-wizard-ui-"))
    os.environ.update(EUCAIM_UI_TMP=str(tmp), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    os.environ.pop("EUCAIM_UI_OPEN", None)
    if target is not None:
        os.environ["EUCAIM_UI_OPEN"] = str(Path(target).expanduser().resolve())
    address = f"http://{HOST}:{port}"
    threading.Thread(target=_when_listening, args=(port, address, announce, open_browser), daemon=True,
                     name="eucaim-announce").start()
    # until Streamlit installs its own handlers (once it serves), SIGTERM stops us as Ctrl+C does
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        # Streamlit's own command line, in this process (one interpreter start, not two); it
        # stops on SIGINT and SIGTERM and returns here
        cli.main(streamlit_arguments(port, upload_mb=upload_mb), prog_name="streamlit", standalone_mode=False)
        return 0
    except (KeyboardInterrupt, Abort):  # (click turns an interrupt during the start into Abort)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(tmp, ignore_errors=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _when_listening(port: int, address: str, announce: Callable[[str], None] | None, open_browser: bool) -> None:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex((HOST, port)) == 0:
                break
        time.sleep(0.02)
    else:
        return
    if announce is not None:
        announce(address)
    if open_browser:
        import webbrowser

        webbrowser.open(address)


__all__ = ["DEFAULT_PORT", "HOST", "MAX_UPLOAD_MB", "free_port", "launch", "server_options", "streamlit_arguments"]
