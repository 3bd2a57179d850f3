"""``callexam station``: the exam-station agent on a candidate's PC."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("station")
@click.option("--server", required=True, help="考试系统服务器地址，如 http://192.168.1.10:5000")
@click.option("--code", required=True, help="考评员在考试机页面发放的考试机编码，如 ABCD-EFGH")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="保存本机密钥的目录，默认 ~/.callexam-station")
def station_cmd(server, code, state_dir):
    """考试机监控程序：在考生电脑的桌面会话中运行，考试期间统计击键并上传（不记录按了哪些键）。"""
    from typing_test import station_agent
    sys.exit(station_agent.main(server, code, state_dir))
