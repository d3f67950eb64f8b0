"""The OData writer: literals, keys, filters and query options (no network)."""

import datetime as dt
from urllib.parse import unquote

import pytest

from balena_pulumi.client import odata as o

HOSTILE = ["it's", "a/b", "100%", "a&b=c", "x#y", "1+1", "why?", "two words", "ünïcødé ☃", "') or (1 eq 1", "''", "%27"]


@pytest.mark.parametrize("value", HOSTILE)
def test_string_literals_round_trip_through_percent_decoding_and_quote_doubling(value):
    lit = o.literal(value)
    assert lit.startswith("'") and lit.endswith("'")
    inner = lit[1:-1]
    # Nothing inside the quotes can end the literal or split the query string.
    for ch in "&#+? /()":
        assert ch not in inner
    assert unquote(inner.replace("''", "'")) == value or unquote(inner).replace("''", "'") == value


def test_scalar_literals():
    assert o.literal(None) == "null"
    assert o.literal(True) == "true" and o.literal(False) == "false"
    assert o.literal(42) == "42"
    when = dt.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=dt.timezone.utc)
    assert o.literal(when) == "datetime'2024-05-01T12:00:00.123Z'"
    with pytest.raises(ValueError):
        o.literal(dt.datetime(2024, 1, 1))


def test_keys_by_id_and_by_alternate_fields():
    assert o.entity_path("application", 5) == "application(5)"
    assert o.entity_path("application_environment_variable", {"application": 5, "name": "X"}) == (
        "application_environment_variable(application=5,name='X')"
    )
    assert o.entity_path("application", {"slug": "acme/prod"}) == "application(slug='acme%2Fprod')"


def test_and_or_always_parenthesise_their_operands():
    f = o.or_(o.eq("a", 1), o.and_(o.eq("b", 2), o.eq("c", "x")))
    assert f.text == "(a eq 1) or ((b eq 2) and (c eq 'x'))"
    assert o.and_(None, o.eq("a", 1)).text == "a eq 1"
    assert o.not_(o.eq("a", None)).text == "not (a eq null)"


def test_in_and_any():
    assert o.in_("id", [1, 2]).text == "id in (1,2)"
    assert o.any_("device_type_alias", lambda a: o.eq(f"{a}/is_referenced_by__alias", "rpi")).text == (
        "device_type_alias/any(dta:dta/is_referenced_by__alias eq 'rpi')"
    )
    assert o.any_("is_directly_accessible_by__user").text == "is_directly_accessible_by__user/any(idabu:true)"


def test_field_names_are_checked_so_names_cannot_inject():
    with pytest.raises(ValueError):
        o.eq("name eq 'x') or (1", "y")
    with pytest.raises(ValueError):
        o.entity_path("application(1)")


def test_orderby_needs_an_explicit_direction():
    with pytest.raises(ValueError):
        o.query(orderby="created_at")
    assert o.query(orderby=[("created_at", "desc"), "id asc"]) == "$orderby=created_at%20desc,id%20asc"


def test_query_options_and_nested_expand():
    q = o.query(
        select=["id", "slug"],
        expand=o.Expand("owns__release", select="id", filter=o.eq("status", "success"), orderby="id desc", top=1),
        top=5,
        skip=10,
    )
    assert q == (
        "$select=id,slug&$expand=owns__release($select=id;$filter=status%20eq%20'success';"
        "$orderby=id%20desc;$top=1)&$top=5&$skip=10"
    )
    with pytest.raises(ValueError):
        o.query(top=-1)


def test_hostile_value_cannot_add_query_options():
    q = o.query(filter=o.eq("name", "x&$top=1#frag"))
    assert q.count("&") == 0 and "#" not in q
