"""The report filter's selects: written in Python, the same HTML as Django's templates."""

from __future__ import annotations

from typing import Any

from django import forms
from hypothesis import given
from hypothesis import strategies as st

from reports.forms import QuickSelect, QuickSelectMultiple

text = st.text(alphabet=st.sampled_from("ab <>&\"'é€"), max_size=6)
choices = st.lists(st.tuples(text, text), max_size=5)
attrs = st.dictionaries(
    st.sampled_from(["id", "size", "required", "disabled", "aria-invalid", "data-x"]),
    st.one_of(st.booleans(), text, st.integers(0, 9)),
)


def _both(quick: type[forms.Widget], django: type[forms.Widget], **kwargs: Any) -> tuple[str, str]:
    name, value, extra = kwargs.pop("name"), kwargs.pop("value"), kwargs.pop("extra")
    return (
        quick(**kwargs).render(name, value, attrs=extra),
        django(**kwargs).render(name, value, attrs=extra),
    )


@given(choices=choices, attrs=attrs, extra=attrs, picked=st.lists(text, max_size=3), name=text)
def test_select_multiple_renders_as_djangos(
    choices: list, attrs: dict, extra: dict, picked: list, name: str
) -> None:
    quick, django = _both(
        QuickSelectMultiple,
        forms.SelectMultiple,
        choices=choices,
        attrs=attrs,
        name=name,
        value=picked,
        extra=extra,
    )
    assert quick == django


@given(choices=choices, attrs=attrs, picked=st.one_of(st.none(), text))
def test_select_renders_as_djangos(choices: list, attrs: dict, picked: str | None) -> None:
    quick, django = _both(
        QuickSelect, forms.Select, choices=choices, attrs=attrs, name="size", value=picked, extra={}
    )
    assert quick == django


def test_option_groups_render_as_djangos() -> None:
    grouped = [("", "None"), ("Fruit <&>", [("a", "Apple"), ("b", "Banana & co")]), ("c", "C")]
    quick, django = _both(
        QuickSelect, forms.Select, choices=grouped, attrs={}, name="f", value="b", extra={}
    )
    assert quick == django
