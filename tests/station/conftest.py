"""A private X server (Xvfb) for the exam-station agent's tests."""

from __future__ import annotations

import os
import select
import shutil
import subprocess

import pytest


@pytest.fixture(scope="module")
def xvfb():
    """A private X server; yields its DISPLAY string.

    ``-displayfd`` lets Xvfb pick a free display number itself and write it once it accepts
    connections, which avoids both guessing a free number (other test runs may hold one) and polling
    for the socket. ``-noreset``: otherwise Xvfb regenerates whenever its last client disconnects and
    resets connections opened meanwhile (seen here between two monitors).
    """
    missing = [tool for tool in ("Xvfb", "xdotool") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' 和 '.join(missing)} 未安装（scripts/install-system-deps.sh 会安装）")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1024x768x24",
                             "-nolisten", "tcp", "-noreset"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(write_fd)
    try:
        ready, _, _ = select.select([read_fd], [], [], 15)
        number = os.read(read_fd, 64).decode().strip() if ready else ""
        if not number.isdigit():
            proc.kill()
            pytest.fail(f"Xvfb 未能启动：{proc.communicate(timeout=5)[1].decode(errors='replace')[-500:]}")
        yield f":{number}"
    finally:
        os.close(read_fd)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
