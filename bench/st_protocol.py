"""Streamlit's websocket protocol as its browser front end speaks it: what a load benchmark needs to be a student.

No network and no Locust here (``bench/classroom.py`` does the talking): a ``Page`` is fed the server's
``ForwardMsg``s and keeps what the front end would keep (the session id, the page's script hash, the address
bar's query, every widget's current value and the fragment it was drawn in, the pictures by keyed block), and
builds the ``BackMsg``s the front end would send for an action. What it sends was checked against frames
captured from Chromium (``page.on("websocket")`` → ``framesent``, decoded with ``BackMsg.FromString``) for
Streamlit 1.67:

- first message: ``rerun_script`` with no widget states and the browser's ``context_info``;
- a widget change: ``rerun_script`` with every known widget's value (the changed one new), the page's script
  hash and query string, and the ``fragment_id`` of the fragment the widget was drawn in (none outside one);
- a button: the same with ``trigger_value`` for that button, in that one message only;
- a custom component's event (components v2, ``setTriggerValue(event, value)``: the playground's kernel editor,
  ``app.editor``): the same with ``json_trigger_value`` ``[{"event": event, "value": value}]`` (a list: events
  set before the message leaves are appended) on the component's trigger id, ``_make_trigger_id(<element id>,
  "events")``, in that one message only; the component itself holds no value. (Read from Streamlit 1.67's front
  end, ``BidiComponent`` and ``WidgetStateManager.setTriggerValue``, not yet compared with captured frames.)
- a data editor's edit (``st.data_editor``, the minimal apps' grid): its value as JSON text,
  ``{"edited_rows": {"1": {"1": 6.0}}, ...}``, cumulative;
- an upload: ``file_urls_request`` (answered by ``file_urls_response`` with the upload URL), a multipart PUT
  to that URL, then a rerun whose uploader value lists the file.

A widget the page does not draw in a completed run is forgotten, as the front end does (for a fragment run,
only the widgets of that fragment). Widget kinds the playground does not use while students play are skipped:
their server-side values then come from session state, which is what the page set them to anyway.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.Common_pb2 import FileURLs, UploadedFileInfo
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = ForwardMsg.ScriptFinishedStatus
FULL_RUN_DONE = FINISHED.Value("FINISHED_SUCCESSFULLY")
FRAGMENT_RUN_DONE = FINISHED.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")


def user_key(element_id: str) -> str:
    """The ``key=`` a widget or keyed container was given, from Streamlit's id ``$$ID-<hash>-<key>``."""
    parts = element_id.split("-", 2)
    return parts[2] if element_id.startswith("$$ID-") and len(parts) == 3 else ""


def slider_state(widget_id: str, *values: float) -> WidgetState:
    return WidgetState(id=widget_id, double_array_value={"data": list(values)})


def json_state(widget_id: str, value: object) -> WidgetState:
    return WidgetState(id=widget_id, string_value=json.dumps(value, separators=(",", ":")))


def component_event(component_id: str, value: object, event: str = "action") -> WidgetState:
    """A custom component's ``setTriggerValue(event, value)`` (components v2), for the component drawn with id
    ``component_id``: a JSON trigger on its events id, as the front end sends it."""
    payload = json.dumps([{"event": event, "value": value}], separators=(",", ":"))
    return WidgetState(id=_make_trigger_id(component_id, "events"), json_trigger_value=payload)


def grid_edit_state(widget_id: str, edits: Mapping[tuple[int, int], float]) -> WidgetState:
    """A data editor's value after cell edits (0-based row, column name): the JSON text the front end sends."""
    rows: dict[str, dict[str, float]] = {}
    for (r, c), v in edits.items():
        rows.setdefault(str(r), {})[str(c)] = v
    return json_state(widget_id, {"edited_rows": rows, "added_rows": [], "deleted_rows": []})


def uploader_state(widget_id: str, name: str, size: int, urls: FileURLs) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.file_uploader_state_value.uploaded_file_info.append(
        UploadedFileInfo(name=name, size=size, file_id=urls.file_id, file_urls=urls)
    )
    return state


def initial_state(element: Element, known: WidgetState | None) -> WidgetState | None:
    """The value the front end holds for a widget just drawn: the server's value when it sets one (``set_value``),
    else the value it already had, else the widget's default. None for elements that hold no value until used
    (buttons, data editors, custom components that only send events) and for widget kinds not modelled here."""
    kind = element.WhichOneof("type")
    w: Any = getattr(element, kind) if kind else None
    wid = getattr(w, "id", "")
    if not wid or kind in ("button", "download_button", "dataframe"):
        return None
    if known is not None and not getattr(w, "set_value", False):
        return known
    state = WidgetState(id=wid)
    if kind == "slider":
        state.double_array_value.data.extend(w.value if w.set_value else w.default)
    elif kind == "selectbox":
        if w.set_value or w.raw_value:
            state.string_value = w.raw_value
        elif w.HasField("default") and w.options:
            state.string_value = w.options[w.default]
    elif kind == "checkbox":
        state.bool_value = w.value if w.set_value else w.default
    elif kind == "number_input":
        number = w.value if w.set_value else w.default
        if w.data_type == NumberInput.DataType.Value("INT"):
            state.int_value = int(number)
        else:
            state.double_value = number
    elif kind == "button_group":
        chosen = list(w.raw_values) if w.set_value else [w.options[i].content for i in w.default]
        state.string_array_value.data.extend(chosen)
    elif kind == "file_uploader":
        state.file_uploader_state_value.SetInParent()
    else:
        return None
    return state


@dataclass
class Picture:
    url: str
    caption: str
    block: str  # the key of the innermost keyed container it sits in ("" if none), e.g. "pg-result"


@dataclass
class Page:
    """One browser tab's view of a Streamlit session, built from the ``ForwardMsg``s it receives."""

    url: str = "http://127.0.0.1/"
    session_id: str = ""
    page_script_hash: str = ""
    query_string: str = ""
    widgets: dict[str, WidgetState] = field(default_factory=dict)
    scope: dict[str, str] = field(default_factory=dict)  # id of each widget on the page -> its fragment ("" if none)
    blocks: dict[tuple[int, ...], str] = field(default_factory=dict)  # delta path -> key of a keyed container
    pictures: dict[tuple[int, ...], Picture] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # exceptions and error alerts drawn (this run)
    notices: list[str] = field(default_factory=list)  # warnings and infos drawn (this run)
    run_fragments: tuple[str, ...] = ()
    finished: int | None = None  # the last run's ScriptFinishedStatus; None while a run is going on
    seqs: dict[str, int] = field(default_factory=dict)  # per component id: the last event number sent
    _seen: set[str] = field(default_factory=set)

    # ---- reading ----

    def feed(self, msg: ForwardMsg) -> str:
        """Take in one message from the server; returns its type (``delta``, ``script_finished``, ...)."""
        kind = msg.WhichOneof("type") or ""
        if kind == "new_session":
            self._new_run(msg)
        elif kind == "delta":
            self._delta(tuple(msg.metadata.delta_path), msg)
        elif kind == "navigation":  # the page in use (the default one: students open the app's address)
            nav = msg.navigation
            pages = [p.page_script_hash for p in nav.app_pages if p.is_default]
            self.page_script_hash = nav.page_script_hash or (pages[0] if pages else self.page_script_hash)
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "script_finished":
            self._finished(msg.script_finished)
        return kind

    def _new_run(self, msg: ForwardMsg) -> None:
        ns = msg.new_session
        if ns.initialize.session_id:
            self.session_id = ns.initialize.session_id
        if ns.page_script_hash and not self.page_script_hash:
            self.page_script_hash = ns.page_script_hash
        self.run_fragments = tuple(msg.metadata.run.fragment_ids)
        if not self.run_fragments:  # a full run redraws the page: forget its pictures and containers
            self.pictures.clear()
            self.blocks.clear()
        self.finished = None
        self.problems, self.notices = [], []
        self._seen = set()

    def _delta(self, path: tuple[int, ...], msg: ForwardMsg) -> None:
        delta = msg.delta
        if delta.HasField("add_block"):
            key = user_key(delta.add_block.id)
            if key:
                self.blocks[path] = key
            else:
                self.blocks.pop(path, None)
            return
        if not delta.HasField("new_element"):
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        if kind == "imgs":
            for i, img in enumerate(el.imgs.imgs):
                self.pictures[(*path, i)] = Picture(img.url, img.caption, self._block_of(path))
        elif kind == "exception":
            self.problems.append(f"{el.exception.type}: {el.exception.message}")
        elif kind == "alert":
            (self.problems if el.alert.format == el.alert.ERROR else self.notices).append(el.alert.body)
        wid = getattr(getattr(el, kind), "id", "") if kind else ""
        if wid:
            self._seen.add(wid)
            self.scope[wid] = delta.fragment_id
            state = initial_state(el, self.widgets.get(wid))
            if state is not None:
                self.widgets[wid] = state

    def _block_of(self, path: tuple[int, ...]) -> str:
        for n in range(len(path), 0, -1):
            if path[:n] in self.blocks:
                return self.blocks[path[:n]]
        return ""

    def _finished(self, status: int) -> None:
        self.finished = status
        if status == FULL_RUN_DONE:
            gone = [w for w in self.scope if w not in self._seen]
        elif status == FRAGMENT_RUN_DONE:
            gone = [w for w, f in self.scope.items() if f in self.run_fragments and w not in self._seen]
        else:
            gone = []
        for w in gone:
            del self.scope[w]
            self.widgets.pop(w, None)

    def widget_id(self, key: str, prefix: bool = False) -> str | None:
        """The id of the widget on the page drawn with ``key=key`` (or a renewed ``key.N``; with ``prefix``, any
        key starting with ``key``), if any."""
        ids = [w for w in self.scope if (user_key(w).startswith(key) if prefix else user_key(w).split(".")[0] == key)]
        return ids[-1] if ids else None

    def picture(self, block: str) -> Picture | None:
        """The first picture drawn inside the keyed container ``block`` (e.g. ``pg-result``)."""
        found = [p for path, p in sorted(self.pictures.items()) if p.block == block]
        return found[0] if found else None

    # ---- writing ----

    def context(self) -> ContextInfo:
        """What Chromium's front end says about itself (desktop, light theme, UTC)."""
        return ContextInfo(
            timezone="UTC", timezone_offset=0, locale="en-US", url=self.url, is_embedded=False, color_scheme="light"
        )

    def first_run(self) -> BackMsg:
        """The message a freshly loaded page sends: run the script, no widget values yet."""
        msg = BackMsg()
        msg.rerun_script.widget_states.SetInParent()
        msg.rerun_script.context_info.CopyFrom(self.context())
        return msg

    def rerun(
        self, changes: Iterable[WidgetState] = (), trigger: str | None = None, event: WidgetState | None = None
    ) -> BackMsg:
        """The message for changing the widgets in ``changes`` (kept as their new values), pressing the button
        ``trigger`` or sending a component's ``event`` (``component_event``: once, like a press); it reruns the
        fragment those widgets were drawn in, or the whole page."""
        changed = list(changes)
        for state in changed:
            self.widgets[state.id] = state
        ids = [s.id for s in changed] + ([trigger] if trigger else [])
        if event is not None:
            ids += [w for w in self.scope if _make_trigger_id(w, "events") == event.id]  # the component it is for
        fragments = {self.scope.get(i, "") for i in ids}
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query_string
        cs.page_script_hash = self.page_script_hash
        if len(fragments) == 1 and "" not in fragments:
            cs.fragment_id = fragments.pop()
        cs.widget_states.widgets.extend(self.widgets.values())
        if trigger:
            cs.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
        if event is not None:
            cs.widget_states.widgets.append(event)
        cs.context_info.CopyFrom(self.context())
        return msg

    def send_event(self, component_id: str, value: Mapping[str, Any], event: str = "action") -> BackMsg:
        """The message for a component's event ``value`` (a dict), numbered as the kernel editor numbers its
        events: ``seq`` counts up per component from 1 (the server echoes it back as the component's ``ack``)."""
        self.seqs[component_id] = self.seqs.get(component_id, 0) + 1
        return self.rerun(event=component_event(component_id, {**value, "seq": self.seqs[component_id]}, event))

    def file_urls_request(self, *names: str) -> BackMsg:
        msg = BackMsg()
        req = msg.file_urls_request
        req.request_id = str(uuid.uuid4())
        req.file_names.extend(names)
        req.session_id = self.session_id
        return msg
