"""The load benchmark's Streamlit client (``bench/st_protocol.py``) sends what Chromium's front end sends.

The messages were compared with frames captured from Chromium on the playground (see the module's docstring);
these tests keep the rules on small hand-made message streams, without a server.
"""

from __future__ import annotations

import json

from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.components.v2.bidi_component.serialization import deserialize_trigger_list
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetStates

from app import editor_events
from app.editor_events import Param
from bench.st_protocol import (
    FRAGMENT_RUN_DONE,
    FULL_RUN_DONE,
    Page,
    component_event,
    grid_edit_state,
    slider_state,
    uploader_state,
    user_key,
)
from tests.apptest import ok, start, state

FRAG = "5a0545c71c27c60bac910de5dd3eca4f"
PARAM = {"op": "param", "name": "inner", "value": 5.1}  # the kernel editor's live slider, moved


def _id(key: str) -> str:
    return f"$$ID-0123456789abcdef0123456789abcdef-{key}"


def new_session(session_id: str = "", fragments: tuple[str, ...] = ()) -> ForwardMsg:
    msg = ForwardMsg()
    msg.new_session.initialize.session_id = session_id
    msg.new_session.page_script_hash = "main"
    msg.metadata.run.fragment_ids.extend(fragments)
    return msg


def delta(path: tuple[int, ...], fragment: str = "") -> ForwardMsg:
    msg = ForwardMsg()
    msg.metadata.delta_path.extend(path)
    msg.delta.fragment_id = fragment
    return msg


def finished(status: int) -> ForwardMsg:
    msg = ForwardMsg()
    msg.script_finished = status
    return msg


def draw_page(
    page: Page, inner: float = 5.0, fragment_run: bool = False, sliders: bool = True, stride: int = 1
) -> None:
    """The playground's shape in miniature: a toggle outside the fragment; in it the kernel editor's sliders (a
    custom component), a Streamlit slider, a button and the result picture in a keyed container."""
    page.feed(new_session("s-1", (FRAG,) if fragment_run else ()))
    if not fragment_run:
        nav = ForwardMsg()
        nav.navigation.app_pages.add(page_script_hash="playground", is_default=True)
        nav.navigation.app_pages.add(page_script_hash="gallery")
        page.feed(nav)
        toggle = delta((1, 0))
        toggle.delta.new_element.checkbox.id = _id("pg_camera_on")
        toggle.delta.new_element.checkbox.set_value = True
        toggle.delta.new_element.checkbox.value = True
        page.feed(toggle)
    if sliders:
        c = delta((0, 1, 0), FRAG)
        c.delta.new_element.bidi_component.id = _id("pg_params")
        c.delta.new_element.bidi_component.component_name = "imgkernel.editor"
        c.delta.new_element.bidi_component.json = json.dumps({"kind": "sliders", "params": [{"value": inner}]})
        page.feed(c)
    s = delta((0, 1, 1), FRAG)
    s.delta.new_element.slider.id = _id("pg_stride")
    s.delta.new_element.slider.value.append(stride)
    s.delta.new_element.slider.default.append(1)
    s.delta.new_element.slider.set_value = not fragment_run
    page.feed(s)
    b = delta((0, 1, 2), FRAG)
    b.delta.new_element.button.id = _id("pg_undo")
    page.feed(b)
    block = delta((0, 1, 3), FRAG)
    block.delta.add_block.id = _id("pg-result")
    page.feed(block)
    img = delta((0, 1, 3, 0), FRAG)
    img.delta.new_element.imgs.imgs.add(url=f"/media/{inner}.png", caption="Sharpen")
    page.feed(img)
    info = ForwardMsg()
    info.page_info_changed.query_string = f"k=sharpen&p.inner={inner}"
    page.feed(info)
    page.feed(finished(FRAGMENT_RUN_DONE if fragment_run else FULL_RUN_DONE))


def test_user_keys_are_read_from_streamlit_ids():
    assert user_key(_id("pg_params")) == "pg_params"
    assert user_key(_id("pg-result")) == "pg-result"
    assert user_key("") == "" and user_key("no-id-here") == ""


def test_the_first_message_runs_the_page_with_no_widgets():
    msg = Page(url="http://127.0.0.1:8501/").first_run()
    assert msg.WhichOneof("type") == "rerun_script"
    assert not msg.rerun_script.widget_states.widgets
    assert msg.rerun_script.context_info.url == "http://127.0.0.1:8501/"
    assert not msg.rerun_script.fragment_id and not msg.rerun_script.page_script_hash


def test_a_component_event_is_a_json_trigger_the_server_and_the_app_read():
    component = _id("pg_params")
    state = component_event(component, PARAM)
    assert state.id == _make_trigger_id(component, "events") == f"$$STREAMLIT_INTERNAL_KEY_{component}__events"
    assert state.json_trigger_value == '[{"event":"action","value":{"op":"param","name":"inner","value":5.1}}]'
    (received,) = deserialize_trigger_list(state.json_trigger_value)  # as the server reads the trigger
    assert received["event"] == "action" and editor_events.parse(received["value"]) == Param("inner", 5.1)


def test_a_slider_event_reruns_its_fragment_once_with_every_widget_value():
    page = Page()
    draw_page(page)
    assert page.session_id == "s-1" and page.page_script_hash == "playground"
    assert page.picture("pg-result").url == "/media/5.0.png"
    component = page.widget_id("pg_params")
    assert component == _id("pg_params")
    msg = page.send_event(component, PARAM).rerun_script
    assert msg.fragment_id == FRAG
    assert msg.page_script_hash == "playground" and msg.query_string == "k=sharpen&p.inner=5.0"
    values = {w.id: w for w in msg.widget_states.widgets}
    assert set(values) == {_id("pg_camera_on"), _id("pg_stride"), _make_trigger_id(component, "events")}
    (sent,) = deserialize_trigger_list(values[_make_trigger_id(component, "events")].json_trigger_value)
    assert sent == {"event": "action", "value": {**PARAM, "seq": 1}}  # numbered, as the editor numbers them
    assert list(values[_id("pg_stride")].double_array_value.data) == [1]
    assert values[_id("pg_camera_on")].bool_value is True
    again = page.rerun().rerun_script  # an event is sent once, like a button press
    assert not [w for w in again.widget_states.widgets if w.HasField("json_trigger_value")]
    (sent,) = deserialize_trigger_list(
        page.send_event(component, PARAM).rerun_script.widget_states.widgets[-1].json_trigger_value
    )
    assert sent["value"]["seq"] == 2


def test_a_button_press_is_sent_once_and_a_widget_outside_the_fragment_reruns_the_page():
    page = Page()
    draw_page(page)
    pressed = page.rerun(trigger=page.widget_id("pg_undo")).rerun_script
    assert pressed.fragment_id == FRAG
    assert [w.trigger_value for w in pressed.widget_states.widgets if user_key(w.id) == "pg_undo"] == [True]
    again = page.rerun().rerun_script
    assert all(user_key(w.id) != "pg_undo" for w in again.widget_states.widgets)
    toggle = page.widgets[page.widget_id("pg_camera_on")]
    assert not page.rerun([toggle]).rerun_script.fragment_id


def test_the_client_keeps_its_own_value_unless_the_server_sets_one():
    page = Page()
    draw_page(page)
    slider = page.widget_id("pg_stride")
    page.rerun([slider_state(slider, 3)])
    draw_page(page, inner=6.3, fragment_run=True)  # redrawn without set_value: the browser's 3 stays
    assert list(page.widgets[slider].double_array_value.data) == [3]
    assert page.picture("pg-result").url == "/media/6.3.png"
    draw_page(page, stride=2)  # the server sets a value: the browser takes it
    assert list(page.widgets[slider].double_array_value.data) == [2]


def test_widgets_a_completed_run_did_not_draw_are_forgotten():
    page = Page()
    draw_page(page)
    draw_page(page, fragment_run=True, sliders=False)  # the fragment no longer draws the sliders (a custom grid)
    assert page.widget_id("pg_params") is None
    assert page.widget_id("pg_camera_on") is not None  # outside the fragment: untouched by its run
    draw_page(page)
    assert page.widget_id("pg_params") is not None


def test_data_editor_edits_and_uploads_are_sent_as_the_front_end_sends_them():
    edit = grid_edit_state(_id("grid"), {(1, 1): 6.0})  # a st.data_editor (bench/minimal_app.py)
    assert edit.string_value == '{"edited_rows":{"1":{"1":6.0}},"added_rows":[],"deleted_rows":[]}'
    assert json.loads(edit.string_value)["edited_rows"] == {"1": {"1": 6.0}}
    page = Page()
    draw_page(page)
    request = page.file_urls_request("cat.jpg").file_urls_request
    assert request.session_id == "s-1" and list(request.file_names) == ["cat.jpg"] and request.request_id
    urls = FileURLs(file_id="f-1", upload_url="/_stcore/upload_file/s-1/f-1", delete_url="/_stcore/upload_file/s-1/f-1")
    state = uploader_state(_id("pg_upload"), "cat.jpg", 1234, urls)
    (info,) = state.file_uploader_state_value.uploaded_file_info
    assert (info.name, info.size, info.file_id, info.file_urls.upload_url) == ("cat.jpg", 1234, "f-1", urls.upload_url)


def test_a_full_run_forgets_the_last_runs_pictures_and_records_problems():
    page = Page()
    draw_page(page)
    page.feed(new_session())
    assert page.picture("pg-result") is None
    err = delta((0, 0))
    err.delta.new_element.alert.body = "Something went wrong"
    err.delta.new_element.alert.format = err.delta.new_element.alert.ERROR
    page.feed(err)
    warn = delta((0, 1))
    warn.delta.new_element.alert.body = "busy"
    warn.delta.new_element.alert.format = warn.delta.new_element.alert.WARNING
    page.feed(warn)
    assert page.problems == ["Something went wrong"] and page.notices == ["busy"]


def test_the_playground_takes_the_bench_clients_slider_event():
    """The event as the bench sends it, through the real page (AppTest): the preset's slider moves."""
    at = start()
    (sliders,) = [e for e in at.get("bidi_component") if e.key == "pg_params"]
    states = WidgetStates()
    states.CopyFrom(at._tree.get_widget_states())
    states.widgets.append(component_event(sliders.proto.id, {"op": "param", "name": "inner", "value": 7.5, "seq": 3}))
    at._run(states)
    assert state(ok(at)).params["inner"] == 7.5 and state(at).name == "sharpen"
