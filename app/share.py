"""Share links: the playground's state as URL query parameters, and back, without trusting the URL (the
playground's own format, so it lives in the app; the library never knows a page's keys).

Only values that differ from the defaults are written, so links stay short. Format (all values text):

* ``k``: a catalogue kernel name, or ``custom`` with ``m`` = rows separated by ``;``, cells by ``,``
  (``m=0,-1,0;-1,5,-1;0,-1,0``; fractions such as ``1/16`` are allowed);
* ``p.<name>``: a catalogue kernel's parameter (``p.inner=5``);
* options: ``mode``, ``cval``, ``stride``, ``dil``, ``conv``, ``div``, ``off``, ``norm``, ``mean``, ``view``,
  ``gray``, ``lin`` (linear light; booleans as ``1``/``0``); ``div`` and ``off`` default to the catalogue
  kernel's suggestion;
* ``img``: the name of a bundled sample photo;
* ``lang``: the interface's language (``zh``, ``es``), and ``puzzle``: the Mystery kernel's seed, read by other
  parts of the app, not by this module.

Decoding never raises: every value that is unknown, malformed, out of range or too large is dropped, its
default kept, and a plain-language line added to the returned notice list (each a ``Later``: English now, the
visitor's language where it is shown). Nothing is evaluated.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np

from imgkernel.borders import MODES
from imgkernel.catalogue import CATALOGUE
from imgkernel.errors import KernelError
from imgkernel.formats.kernel_io import parse_number, validate_matrix
from imgkernel.limits import MAX_KERNEL_SIDE
from imgkernel.mapping import OUT_OF_RANGE, check_divisor
from imgkernel.numeric import format_number
from imgkernel.pipeline import Settings

from .later import N_, Later, Np_, Plural
from .limits import MAX_DILATION, MAX_SHARE_QUERY_CHARS, MAX_STRIDE

CUSTOM = "custom"
DEFAULT_KERNEL = "sharpen"  # what the playground opens with
VIEWS: tuple[str, ...] = (*OUT_OF_RANGE, "signed")  # "signed": the diverging colour map of the responses
_MAX_NOTICE_VALUE = 40  # characters of a rejected value quoted back in a notice

# URL key -> Settings field, for the plain options.
_BOOL_KEYS = {"conv": "true_convolution", "norm": "normalise", "mean": "mean", "gray": "gray", "lin": "linear"}
_FLOAT_KEYS = {"cval": "cval", "div": "divisor", "off": "offset"}
_INT_KEYS = {"stride": ("stride", MAX_STRIDE), "dil": ("dilation", MAX_DILATION)}
# Keys other parts of the app read from the same address (the Mystery kernel page's seed, the interface's
# language): not the playground's settings, not unknown.
OTHER_PAGES_KEYS = frozenset({"puzzle", "lang"})
_KNOWN = {"k", "m", "mode", "view", "img", *_BOOL_KEYS, *_FLOAT_KEYS, *_INT_KEYS, *OTHER_PAGES_KEYS}


# What a link's notices say, by a short code (each said in the visitor's language where it is shown).
NOTICES: dict[str, str | Plural] = {
    "bad_matrix": N_("m: {reason}"),
    "bad_param": N_("{key}: {reason}"),
    "bad_value": N_("{key}={value}: {reason}"),
    "custom_no_matrix": N_("k=custom without a matrix (m): the default kernel is used."),
    "custom_no_params": N_("{key}: a custom kernel has no parameters."),
    "link_too_long": Np_(
        "The link is too long ({total:,} character; at most {limit:,}).",
        "The link is too long ({total:,} characters; at most {limit:,}).",
        "total",
    ),
    "matrix_ignored": N_("m: a matrix is only read with k=custom."),
    "no_such_kernel": N_("k={value}: no such kernel."),
    "no_such_param": N_("{key}: {title} has no such parameter."),
    "no_such_sample": N_("img={value}: no such sample photo."),
    "not_bool": N_("{key}={value}: must be 1 or 0."),
    "not_one_of": N_("{key}={value}: not one of {choices}."),
    "not_text": N_("{key}: not text."),
    "not_whole_in_range": N_("{key}={value}: must be a whole number from 1 to {top}."),
    "unknown_setting": N_("{key}: unknown setting."),
}


def _notice(code: str, **values: object) -> Later:
    return Later(NOTICES[code], **values)


@dataclass(frozen=True)
class ShareState:
    """What a link restores. ``matrix`` is set only for ``kernel == "custom"``."""

    kernel: str = DEFAULT_KERNEL
    params: dict[str, float | int] = field(default_factory=dict)
    matrix: np.ndarray | None = field(default=None, repr=False)
    settings: Settings = Settings()
    view: str = "clip"
    sample: str | None = None


def encode(state: ShareState) -> dict[str, str]:
    """Query parameters for ``state`` (defaults left out)."""
    q: dict[str, str] = {"k": state.kernel}
    if state.kernel == CUSTOM and state.matrix is not None:
        q["m"] = ";".join(
            ",".join(format_number(v, "float32") for v in row) for row in np.asarray(state.matrix, dtype=np.float64)
        )
    else:
        spec = CATALOGUE.get(state.kernel)
        defaults = spec.defaults() if spec else {}
        for name, value in state.params.items():
            if defaults.get(name) != value:
                q[f"p.{name}"] = format_number(value, "float32")
    s, d = state.settings, _base_settings(state.kernel)
    if s.mode != d.mode:
        q["mode"] = s.mode
    for key, attr in _FLOAT_KEYS.items():
        if getattr(s, attr) != getattr(d, attr):
            q[key] = format_number(getattr(s, attr), "float32")
    for key, (attr, _) in _INT_KEYS.items():
        if getattr(s, attr) != getattr(d, attr):
            q[key] = str(getattr(s, attr))
    for key, attr in _BOOL_KEYS.items():
        if getattr(s, attr) != getattr(d, attr):
            q[key] = "1" if getattr(s, attr) else "0"
    if state.view != "clip":
        q["view"] = state.view
    if state.sample:
        q["img"] = state.sample
    return q


def decode(
    query: Mapping[str, object], samples: Collection[str] = (), *, max_chars: int | None = MAX_SHARE_QUERY_CHARS
) -> tuple[ShareState, list[str]]:
    """The state a link asks for, and a notice for everything ignored (each a ``Message``). Never raises.

    ``query`` maps keys to text (a list of texts counts as its last one, as ``st.query_params`` does);
    ``samples`` are the accepted photo names. A query over ``max_chars`` characters is ignored as a whole
    (``None``: no limit, for state that never travelled in a URL; the matrix size cap still applies).
    """
    notices: list[str] = []  # each a Message
    q: dict[str, str] = {}
    total = 0
    for key, raw in query.items():
        value = raw[-1] if isinstance(raw, (list, tuple)) and raw else raw
        if not isinstance(key, str) or not isinstance(value, str):
            notices.append(_notice("not_text", key=_quote(key)))
            continue
        total += len(key) + len(value)
        q[key] = value
    if max_chars is not None and total > max_chars:
        return ShareState(), [_notice("link_too_long", total=total, limit=max_chars)]

    for key in q:
        if key not in _KNOWN and not key.startswith("p."):
            notices.append(_notice("unknown_setting", key=_quote(key)))

    kernel, params, matrix = _decode_kernel(q, notices)
    settings = _decode_settings(q, notices, _base_settings(kernel))
    view = q.get("view", "clip")
    if view not in VIEWS:
        notices.append(_notice("not_one_of", key="view", value=_quote(view), choices=", ".join(VIEWS)))
        view = "clip"
    sample = q.get("img")
    if sample is not None and sample not in samples:
        notices.append(_notice("no_such_sample", value=_quote(sample)))
        sample = None
    return ShareState(kernel, params, matrix, settings, view, sample), notices


def _decode_kernel(q: dict[str, str], notices: list[str]) -> tuple[str, dict[str, float | int], np.ndarray | None]:
    name = q.get("k", DEFAULT_KERNEL)
    param_keys = {k: v for k, v in q.items() if k.startswith("p.")}
    if name == CUSTOM:
        for k in param_keys:
            notices.append(_notice("custom_no_params", key=_quote(k)))
        if "m" not in q:
            notices.append(_notice("custom_no_matrix"))
            return DEFAULT_KERNEL, CATALOGUE[DEFAULT_KERNEL].defaults(), None
        try:
            return CUSTOM, {}, _parse_matrix(q["m"])
        except KernelError as exc:
            notices.append(_notice("bad_matrix", reason=exc.reason))
            return DEFAULT_KERNEL, CATALOGUE[DEFAULT_KERNEL].defaults(), None
    if "m" in q:
        notices.append(_notice("matrix_ignored"))
    spec = CATALOGUE.get(name)
    if spec is None:
        notices.append(_notice("no_such_kernel", value=_quote(name)))
        spec = CATALOGUE[DEFAULT_KERNEL]
    by_name = {p.name: p for p in spec.params}
    params = spec.defaults()
    for key, value in param_keys.items():
        param = by_name.get(key[2:])
        if param is None:
            notices.append(_notice("no_such_param", key=_quote(key), title=spec.title, kernel=spec.name))
            continue
        try:
            params[param.name] = param.coerce(parse_number(value, what="value"), kernel=spec.name)
        except KernelError as exc:
            notices.append(_notice("bad_param", key=_quote(key), reason=exc.reason))
    return spec.name, params, None


def _parse_matrix(text: str) -> np.ndarray:
    rows = text.split(";")
    if len(rows) > MAX_KERNEL_SIDE or any(r.count(",") >= MAX_KERNEL_SIDE for r in rows):
        raise KernelError("kernel_too_big", side=MAX_KERNEL_SIDE)
    return validate_matrix([r.split(",") for r in rows])


def _base_settings(kernel: str) -> Settings:
    """The options a link leaves out: defaults, with the catalogue kernel's suggested divisor and offset."""
    spec = CATALOGUE.get(kernel)
    return Settings(divisor=spec.divisor, offset=spec.offset) if spec else Settings()


def _decode_settings(q: dict[str, str], notices: list[str], base: Settings) -> Settings:
    changes: dict[str, object] = {}
    if "mode" in q:
        if q["mode"] in MODES:
            changes["mode"] = q["mode"]
        else:
            notices.append(_notice("not_one_of", key="mode", value=_quote(q["mode"]), choices=", ".join(MODES)))
    for key, attr in _FLOAT_KEYS.items():
        if key in q:
            try:
                value = parse_number(q[key], what="value")  # also caps the size, as for kernel cells
                changes[attr] = check_divisor(value) if key == "div" else value
            except KernelError as exc:
                notices.append(_notice("bad_value", key=key, value=_quote(q[key]), reason=exc.reason))
    for key, (attr, top) in _INT_KEYS.items():
        if key in q:
            text = q[key].strip()
            if text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= top:
                changes[attr] = int(text)
            else:
                notices.append(_notice("not_whole_in_range", key=key, value=_quote(q[key]), top=top))
    for key, attr in _BOOL_KEYS.items():
        if key in q:
            if q[key] in ("0", "1"):
                changes[attr] = q[key] == "1"
            else:
                notices.append(_notice("not_bool", key=key, value=_quote(q[key])))
    return base.with_(**changes)


def _quote(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= _MAX_NOTICE_VALUE else text[:_MAX_NOTICE_VALUE] + "…")
