"""XML is checked before a parser that expands entities sees it (plain Python, no Django).

defusedxml's expat reader reads the document once, as a stream, into a handler that keeps
nothing, so the check costs time and memory in proportion to the document only:

- a document that declares entities (internal ones make the "billion laughs" and quadratic
  blow-ups, external ones read files or reach the network) is refused at the declaration,
  before anything is expanded;
- nothing is ever fetched: external entities and the external DTD subset are not read (an
  RSS 0.91 feed's reference to Netscape's DTD is harmless and stays allowed);
- a document that is not well-formed is not refused here: feed parsers read such documents
  leniently, and the caller records why it was not well-formed.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, EntityResolver, feature_external_ges
from xml.sax.xmlreader import InputSource

from defusedxml import DefusedXmlException
from defusedxml.expatreader import create_parser

_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_TEXT_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])[^"']*""")
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


class UnsafeXml(Exception):
    """The document declares entities; it is refused, whatever else it holds."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class XmlCheck:
    well_formed: bool
    problem: str = ""  # why it is not well-formed, with the line and column


class _NoNetwork(EntityResolver):
    def resolveEntity(self, publicId: str | None, systemId: str) -> str:
        # Never reached with external entities off; if it were, it must not fetch anything.
        raise UnsafeXml(f"The document refers to an external resource ({systemId}).")


def _scan(data: bytes) -> None:
    parser = create_parser(forbid_dtd=False, forbid_entities=True, forbid_external=False)
    parser.setFeature(feature_external_ges, False)
    parser.setContentHandler(ContentHandler())
    parser.setEntityResolver(_NoNetwork())
    source = InputSource()
    source.setByteStream(io.BytesIO(data))
    parser.parse(source)


def _as_utf8(data: bytes) -> bytes:
    """The document re-encoded as UTF-8 (expat reads few encodings itself: GB2312, Big5,
    EUC-KR and Shift_JIS feeds exist). Undecodable bytes become U+FFFD; markup is ASCII, so
    what the check looks for survives."""
    match = _DECLARED_ENCODING.match(data)
    encoding = "utf-8"
    if match:
        try:
            encoding = codecs.lookup(match.group(1).decode("ascii")).name
        except LookupError:
            encoding = "utf-8"
    text = _TEXT_ENCODING.sub(r"\g<1>utf-8", data.decode(encoding, errors="replace"), count=1)
    return text.encode("utf-8")


def check_xml(data: bytes) -> XmlCheck:
    """Refuse entity declarations (:class:`UnsafeXml`); say whether the XML is well-formed."""
    try:
        try:
            _scan(data)
        except (ValueError, LookupError):  # an encoding expat cannot read
            _scan(_as_utf8(data))
    except DefusedXmlException as error:
        raise UnsafeXml(
            "The document declares XML entities or refers to external ones, which the harbor "
            f"refuses (they are how XML bombs and external-entity attacks work): {error}."
        ) from None
    except SAXParseException as error:
        head = data[: m.start()] if (m := _FIRST_ELEMENT.search(data)) else data
        if b"<!ENTITY" in head:
            # expat stopped before the declarations; refuse them all the same.
            raise UnsafeXml(
                "The document declares XML entities, which the harbor refuses."
            ) from None
        return XmlCheck(
            well_formed=False,
            problem=f"not well-formed XML (line {error.getLineNumber()}, column "
            f"{error.getColumnNumber()}): {error.getMessage()}",
        )
    except (ValueError, LookupError) as error:
        return XmlCheck(well_formed=False, problem=f"unreadable encoding: {error}")
    return XmlCheck(well_formed=True)
