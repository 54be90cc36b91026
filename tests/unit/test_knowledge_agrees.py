"""The knowledge articles tell callers the same as the field-ops data: site names and asset tags exist."""

from __future__ import annotations

import re
from pathlib import Path

from agent.mcp_servers.field_ops.seed import ASSETS, SITES

ARTICLES = Path(__file__).resolve().parents[2] / "samples" / "knowledge" / "articles"
SITE_NAMES = {number: name for number, name, *_ in SITES}
ASSET_SITES = {tag: site for tag, site, *_ in ASSETS}
#: Asset tags as the seed writes them: A123, A3001, P-4512 (a letter, an optional dash, 3 to 4 digits).
_TAG = re.compile(r"\b([A-Z]-?\d{3,4})\b")


def test_every_site_in_the_sites_article_matches_the_site_table() -> None:
    listed = dict((int(n), name.strip()) for n, name in
                  re.findall(r"^- Site (\d+), ([^,:]+)", (ARTICLES / "sites.md").read_text(), flags=re.M))
    assert listed == SITE_NAMES


def test_every_asset_tag_in_an_article_exists_at_the_site_it_is_placed() -> None:
    for article in ARTICLES.glob("*.md"):
        for sentence in re.split(r"(?<=[.:;])\s|\n", article.read_text()):
            for tag in _TAG.findall(sentence):
                if "example" in sentence.lower() and tag not in ASSET_SITES:
                    continue
                assert tag in ASSET_SITES, f"{article.name}: {tag} is not in the asset register"
                sites = [int(n) for n in re.findall(r"\bsite (\d+)", sentence, flags=re.I)]
                if len(sites) == 1:
                    assert ASSET_SITES[tag] == sites[0], f"{article.name}: {tag} is at site {ASSET_SITES[tag]}"


def test_every_site_named_in_an_article_has_its_number() -> None:
    for article in ARTICLES.glob("*.md"):
        for name, number in re.findall(r"([A-Z][\w ]+?) \(site (\d+)\)", article.read_text()):
            assert name.endswith(SITE_NAMES[int(number)]), f"{article.name}: {name} is not site {number}"
