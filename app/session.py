"""The one session key that holds the playground's state, and the glue between widgets and transitions.

Widgets never own state: before a widget is drawn its value is set from the state (``show``), and its
``on_change`` callback feeds the new value to a pure transition (``control``). Callbacks run before the
script, so every part of a run sees the same, already updated state, and no rerun is ever forced.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import streamlit as st

from . import cache, share
from .state import PlaygroundState, drop_download, initial, open_link, record, renew_keys, widget_key

KEY = "playground"
_MISSING = object()


def current() -> PlaygroundState:
    """This session's state; on its first run, the state the page's link asks for (bad values ignored)."""
    state = st.session_state.get(KEY)
    if not isinstance(state, PlaygroundState):
        link, notices = share.decode(st.query_params.to_dict(), cache.SAMPLES)
        base = initial(cache.sample_photo(), cache.DEFAULT_SAMPLE)
        state = open_link(base, link, notices, cache.sample_photo(link.sample) if link.sample else None)
        st.session_state[KEY] = state
    return state


def apply(
    transition: Callable[..., PlaygroundState],
    *args: Any,
    by: str | None = None,
    gesture: str | None = None,
    **kwargs: Any,
) -> PlaygroundState:
    """Run ``transition`` on the current state and keep the result; ``by`` is the group of the control that
    asked for it (the other groups' controls get fresh keys where their values changed). A change of kernel or
    settings becomes an undo step, merged with the previous one when both carry the same ``gesture`` (one drag);
    undo and redo themselves bring their own history."""
    old = current()
    new = transition(old, *args, **kwargs)
    if new.history is old.history:
        new = record(old, new, gesture)
    state = renew_keys(old, new, by)
    if state.download is not None and state.download.signature != state.signature:
        state = drop_download(state)  # a change made the prepared file stale: free its memory now
    if old.download is not None and state.download is None:
        # Streamlit keeps a key's previous value until the session's next interaction: let go of the file now
        del st.session_state[KEY]
    st.session_state[KEY] = state
    return state


def act(transition: Callable[..., PlaygroundState], *args: Any) -> None:
    """A button's ``on_click``: apply ``transition`` (controls of every group it changes get fresh keys)."""
    apply(transition, *args)


def control(
    state: PlaygroundState,
    group: str,
    name: str,
    value: object,
    transition: Callable[..., PlaygroundState],
    *args: Any,
    field: str | None = None,
    choices: Collection[object] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for a widget that shows ``value`` and, when changed, calls
    ``transition(state, *args, value)`` (or ``transition(state, *args, field=value)``). ``choices``: a selectbox's
    options (see ``_changed``)."""
    key = widget_key(state, group, name)
    show(key, value)
    return {"key": key, "on_change": _changed, "args": (key, group, name, transition, args, field, choices)}


def _changed(
    key: str,
    group: str,
    name: str,
    transition: Callable[..., PlaygroundState],
    args: tuple,
    field: str | None,
    choices: Collection[object] | None,
) -> None:
    if key != widget_key(current(), group, name):
        return  # a control already replaced: its value is a stale echo from the browser, not a user's change
    value = st.session_state[key]
    if choices is not None and value not in choices:
        # A selectbox reports its choice by its label: after a change of language the browser may echo the old
        # language's label, which matches no option. Not a visitor's choice; the drawing puts the value back.
        return
    if field is None:
        apply(transition, *args, value, by=group)
    else:
        apply(transition, *args, by=group, **{field: value})


def show(key: str, value: object) -> None:
    """Make the widget ``key`` show ``value`` before it is drawn (a no-op when it already does). Only for a
    new key, after a page switch, or to undo a refused value: see ``state.SHOWN_BY``."""
    if st.session_state.get(key, _MISSING) != value:
        st.session_state[key] = value


def sync_url(query: dict[str, str]) -> None:
    """Keep the address bar equal to the share link (only written when it differs)."""
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
