"""1EdTech's QTI 3.0 schemas, compiled offline, for tests that check what callexam exports.

The schemas sit in tests/fixtures/qti/xsd (see its README for where each came from and its licence).
They import one another by relative path and by absolute purl.imsglobal.org / w3.org URLs; a resolver
maps the three imports that cannot be compiled here (MathML 3, SSML 1.1, XLink) to local stand-ins
and refuses every other URL, so a test never reaches the network.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).parent / "fixtures" / "qti" / "xsd"
ITEM_XSD = ROOT / "qtiv3p0" / "imsqti_asiv3p0_sbacv1p0_v1p0.xsd"
MANIFEST_XSD = ROOT / "qtiv3p0" / "imsqtiv3p0_imscpv1p2_v1p0.xsd"
STUBS = {"mathml3.xsd": "mathml3.xsd", "ssmlv1p1-core.xsd": "ssmlv1p1-core.xsd", "xlink.xsd": "xlink.xsd"}


class _LocalOnly(etree.Resolver):
    def resolve(self, url, pubid, context):
        name = url.rsplit("/", 1)[-1]
        if name in STUBS:
            return self.resolve_filename(str((ROOT / "stubs" / STUBS[name]).resolve()), context)
        if url.startswith(("http:", "https:", "ftp:")):
            raise OSError(f"schema import would need the network: {url}")
        return None


@lru_cache(maxsize=None)
def schema(path: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalOnly())
    return etree.XMLSchema(etree.parse(str(path), parser))


def errors(xml: bytes, path: Path = ITEM_XSD) -> list[str]:
    """Every schema error of ``xml`` (empty when it validates)."""
    xsd = schema(path)
    doc = etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False))
    if xsd.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in xsd.error_log]
