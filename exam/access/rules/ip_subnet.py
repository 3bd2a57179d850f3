"""IP subnet allow-list: a part may be started only from the exam room's network.

The address is ``request.remote_addr`` as the app sees it; callexam does not trust X-Forwarded-For
(no proxy fix is installed), so behind a reverse proxy the proxy's address is what is checked —
list the proxy's network or serve the exam rooms directly. IPv4 and IPv6 are both accepted; an
IPv4-mapped IPv6 address (``::ffff:10.1.2.3``) counts as its IPv4 address."""

from __future__ import annotations

import ipaddress
from typing import Iterable, Optional

from exam.access.base import AccessContext, AccessRule, SettingsError

MAX_SUBNETS = 200


def parse_subnets(text: str | Iterable[str]) -> tuple[list[str], list[str]]:
    """Parse one network per line ("10.1.0.0/16", "2001:db8::/64" or a single address); blank lines
    and ``#`` comments are skipped. Returns (normalised networks, Chinese errors naming the line)."""
    lines = text.splitlines() if isinstance(text, str) else list(text)
    networks: list[str] = []
    errors: list[str] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            net = ipaddress.ip_network(line, strict=True)
        except ValueError:
            try:
                loose = ipaddress.ip_network(line, strict=False)
            except ValueError:
                errors.append(f"第 {number} 行「{line}」不是有效的 IP 网段，应写成 10.1.0.0/16、"
                              "192.168.3.25 或 2001:db8::/64 这样的形式")
                continue
            errors.append(f"第 {number} 行「{line}」的主机位不为零，您是否想写 {loose}？")
            continue
        if str(net) not in networks:
            networks.append(str(net))
    if len(networks) > MAX_SUBNETS:
        errors.append(f"网段最多 {MAX_SUBNETS} 个，现有 {len(networks)} 个")
    return networks, errors


def address(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not value:
        return None
    try:
        addr = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def allowed(value: str | None, networks: Iterable[str]) -> bool:
    addr = address(value)
    if addr is None:
        return False
    for text in networks:
        net = ipaddress.ip_network(text, strict=False)
        if net.version == addr.version and addr in net:
            return True
    return False


class IpSubnetRule(AccessRule):
    code = "ip_subnet"
    name = "考场网络"

    @classmethod
    def make(cls, settings):
        return cls(settings) if settings and settings.get("subnets") else None

    @classmethod
    def clean_settings(cls, raw):
        networks, errors = parse_subnets(raw.get("subnets") or "")
        if errors:
            raise SettingsError("subnets", "；".join(errors))
        if not networks:
            raise SettingsError("subnets", "请至少填写一个考场网段（每行一个，如 10.1.0.0/16）")
        return {"subnets": networks}

    def description(self, session, timezone):
        return "须在考场网络内的考试机上作答"

    def prevent_access(self, ctx: AccessContext) -> Optional[str]:
        if address(ctx.client_ip) is None:
            return "无法识别您当前的网络地址，不能开始考试，请举手联系监考老师"
        if not allowed(ctx.client_ip, self.settings["subnets"]):
            return (f"您当前的网络地址 {ctx.client_ip} 不在本场考试允许的考场网络内，"
                    "请在考场内的考试机上作答，或举手联系监考老师")
        return None
