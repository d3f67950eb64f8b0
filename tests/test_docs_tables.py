"""Each kind's doc page shows the inputs table its declarations generate (fields, rules, what a change does)."""

from __future__ import annotations

import pytest

from balena_pulumi.resources import REGISTRY
from balena_pulumi.resources.docgen import BEGIN, END, page, table


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_the_doc_page_shows_the_generated_inputs_table(kind: str):
    text = page(kind).read_text()
    assert BEGIN in text and END in text, f"{page(kind).name} has no generated inputs table"
    shown = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert shown == table(kind), (
        f"{page(kind).name}: the inputs table differs from the declarations; "
        "run `python -m balena_pulumi.resources.docgen`"
    )
