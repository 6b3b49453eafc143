"""Write ``recovery/data/cldr_regions_en.json``: the English names of Russia's federal
subjects from Unicode CLDR (``common/subdivisions/en.xml``).

pycountry's English names are the ISO romanisation (``Moskva``, ``Novosibirskaya
oblast'``), which an English reader does not know; CLDR has the names English uses
(``Moscow``, ``Novosibirsk``, ``Krasnodar Krai``). ``recovery.regions`` adds what kind of
subject each is (Oblast, Republic, Autonomous Okrug) from pycountry's type.

Regenerate after a CLDR update (Debian's ``unicode-cldr-core`` installs it)::

    python -m recovery.cldr_regions /usr/share/unicode/cldr > recovery/data/cldr_regions_en.json
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "cldr_regions_en.json"


def read_cldr(cldr_dir: Path, country: str = "RU") -> dict[str, object]:
    """ISO 3166-2 code → CLDR English name for ``country``'s subdivisions, and CLDR's version."""
    # A trusted file from the CLDR release the developer installed, not user input.
    root = ET.parse(cldr_dir / "common" / "subdivisions" / "en.xml").getroot()  # noqa: S314
    prefix = country.lower()
    names = {}
    for element in root.iter("subdivision"):
        key = element.get("type", "")
        if key.startswith(prefix) and len(key) > len(prefix) and element.text:
            names[f"{country}-{key[len(prefix) :].upper()}"] = element.text.strip()
    dtd = (cldr_dir / "common" / "dtd" / "ldml.dtd").read_text(encoding="utf-8")
    version = re.search(r'cldrVersion CDATA #FIXED "([^"]+)"', dtd)
    return {
        "source": "Unicode CLDR common/subdivisions/en.xml, Copyright Unicode, Inc. (Unicode-DFS-2016)",
        "cldr_version": version.group(1) if version else "",
        "names": dict(sorted(names.items())),
    }


def load() -> dict[str, str]:
    """The committed names: ISO code → CLDR English name."""
    return json.loads(DATA.read_text(encoding="utf-8"))["names"]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(read_cldr(Path(argv[1])), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
