"""The load benchmark's Streamlit client (``bench/st_protocol.py``) sends what Chromium's front end sends.

The messages were compared with frames captured from Chromium on the playground (see the module's docstring);
these tests keep the rules on small hand-made message streams, without a server.
"""

from __future__ import annotations

import json

from streamlit.proto.Common_pb2 import FileURLs
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.st_protocol import (
    FRAGMENT_RUN_DONE,
    FULL_RUN_DONE,
    Page,
    grid_edit_state,
    slider_state,
    uploader_state,
    user_key,
)

FRAG = "5a0545c71c27c60bac910de5dd3eca4f"


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


def draw_page(page: Page, inner: float = 5.0, fragment_run: bool = False, slider: bool = True) -> None:
    """The playground's shape in miniature: a toggle outside the fragment; in it a slider, a button and the
    result picture in a keyed container."""
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
    if slider:
        s = delta((0, 1, 0), FRAG)
        s.delta.new_element.slider.id = _id("pg_p_sharpen_inner")
        s.delta.new_element.slider.value.append(inner)
        s.delta.new_element.slider.default.append(-10.0)
        s.delta.new_element.slider.set_value = not fragment_run
        page.feed(s)
    b = delta((0, 1, 1), FRAG)
    b.delta.new_element.button.id = _id("pg_edit")
    page.feed(b)
    block = delta((0, 1, 2), FRAG)
    block.delta.add_block.id = _id("pg-result")
    page.feed(block)
    img = delta((0, 1, 2, 0), FRAG)
    img.delta.new_element.imgs.imgs.add(url=f"/media/{inner}.png", caption="Sharpen")
    page.feed(img)
    info = ForwardMsg()
    info.page_info_changed.query_string = f"k=sharpen&p.inner={inner}"
    page.feed(info)
    page.feed(finished(FRAGMENT_RUN_DONE if fragment_run else FULL_RUN_DONE))


def test_user_keys_are_read_from_streamlit_ids():
    assert user_key(_id("pg_p_sharpen_inner")) == "pg_p_sharpen_inner"
    assert user_key(_id("pg-result")) == "pg-result"
    assert user_key("") == "" and user_key("no-id-here") == ""


def test_the_first_message_runs_the_page_with_no_widgets():
    msg = Page(url="http://127.0.0.1:8501/").first_run()
    assert msg.WhichOneof("type") == "rerun_script"
    assert not msg.rerun_script.widget_states.widgets
    assert msg.rerun_script.context_info.url == "http://127.0.0.1:8501/"
    assert not msg.rerun_script.fragment_id and not msg.rerun_script.page_script_hash


def test_a_slider_change_reruns_its_fragment_with_every_widget_value():
    page = Page()
    draw_page(page)
    assert page.session_id == "s-1" and page.page_script_hash == "playground"
    assert page.picture("pg-result").url == "/media/5.0.png"
    slider = page.widget_id("pg_p_sharpen_inner")
    msg = page.rerun([slider_state(slider, 5.1)]).rerun_script
    assert msg.fragment_id == FRAG
    assert msg.page_script_hash == "playground" and msg.query_string == "k=sharpen&p.inner=5.0"
    values = {user_key(w.id): w for w in msg.widget_states.widgets}
    assert set(values) == {"pg_camera_on", "pg_p_sharpen_inner"}  # a button has no value until pressed
    assert list(values["pg_p_sharpen_inner"].double_array_value.data) == [5.1]
    assert values["pg_camera_on"].bool_value is True


def test_a_button_press_is_sent_once_and_a_widget_outside_the_fragment_reruns_the_page():
    page = Page()
    draw_page(page)
    pressed = page.rerun(trigger=page.widget_id("pg_edit")).rerun_script
    assert pressed.fragment_id == FRAG
    assert [w.trigger_value for w in pressed.widget_states.widgets if user_key(w.id) == "pg_edit"] == [True]
    again = page.rerun().rerun_script
    assert all(user_key(w.id) != "pg_edit" for w in again.widget_states.widgets)
    toggle = page.widgets[page.widget_id("pg_camera_on")]
    assert not page.rerun([toggle]).rerun_script.fragment_id


def test_the_client_keeps_its_own_value_unless_the_server_sets_one():
    page = Page()
    draw_page(page)
    slider = page.widget_id("pg_p_sharpen_inner")
    page.rerun([slider_state(slider, 6.3)])
    draw_page(page, inner=6.3, fragment_run=True)  # redrawn without set_value: the browser's 6.3 stays
    assert list(page.widgets[slider].double_array_value.data) == [6.3]
    assert page.picture("pg-result").url == "/media/6.3.png"


def test_widgets_a_completed_run_did_not_draw_are_forgotten():
    page = Page()
    draw_page(page)
    draw_page(page, fragment_run=True, slider=False)  # the fragment no longer draws the slider
    assert page.widget_id("pg_p_sharpen_inner") is None
    assert page.widget_id("pg_camera_on") is not None  # outside the fragment: untouched by its run
    draw_page(page)
    assert page.widget_id("pg_p_sharpen_inner") is not None


def test_grid_edits_and_uploads_are_sent_as_the_front_end_sends_them():
    edit = grid_edit_state(_id("pg_grid_0"), {(1, 1): 6.0})
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
