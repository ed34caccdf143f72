"""The session setup form: typing, validation at the field, room preview, examples, scenario files."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from negotiator_app.domain import MAX_SELLERS, LLMSettings, load_scenario
from negotiator_app.paths import resource_path
from negotiator_app.ui.setup import SessionSetupForm
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.window_support import closed_port_url, probe_server


@pytest.fixture
def form(qtbot):
    widget = SessionSetupForm()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    return widget


def fill_valid_session(qtbot, form) -> None:
    qtbot.keyClicks(form.session_name, "Typed session")
    form.buyer_name.clear()
    qtbot.keyClicks(form.buyer_name, "Ada")
    for key, text in (("name", "Stapler"), ("quantity", "3"), ("min_price", "4"), ("max_price", "9")):
        qtbot.keyClicks(form.shopping.editor(0, key), text)
    seller = form.sellers()[0]
    seller.name_edit.clear()
    qtbot.keyClicks(seller.name_edit, "Bob's Supplies")
    for key, text in (("name", "stapler"), ("cost_price", "2"), ("least_price", "5"), ("selling_price", "8"),
                      ("quantity_available", "10")):
        qtbot.keyClicks(seller.inventory.editor(0, key), text)


def test_typing_a_session_creates_it_in_the_sidebar_and_the_database(qtbot, kit, arun):
    async def scenario():
        window = kit.window()
        window.show()
        window.new_session()
        form = window.setup_form
        assert not form.check.valid  # the empty rows are not a session yet
        fill_valid_session(qtbot, form)
        assert form.problems() == []
        qtbot.mouseClick(form.create_button, Qt.MouseButton.LeftButton)
        await until(lambda: window.host.runtime is not None, what="the new session to open")
        assert "Typed session" in window.sidebar.names()
        stored = window.store.list_sessions()
        assert [s.name for s in stored] == ["Typed session"]
        config = window.store.get_session(stored[0].id).config
        assert config.buyer.name == "Ada"
        assert config.buyer.items[0].model_dump() == {"name": "Stapler", "quantity": 3, "min_price": 4, "max_price": 9}
        assert config.sellers[0].name == "Bob's Supplies"
        assert config.sellers[0].inventory[0].least_price == 5
        assert window.stack.currentWidget() is window.host

    kit.run(scenario())


def test_each_invalid_field_shows_the_domain_message_and_create_says_why(qtbot, form):
    fill_valid_session(qtbot, form)
    max_price = form.shopping.editor(0, "max_price")
    max_price.clear()
    qtbot.keyClicks(max_price, "2")  # below the min price of 4
    least = form.sellers()[0].inventory.editor(0, "least_price")
    least.clear()
    qtbot.keyClicks(least, "1")  # below the cost price of 2
    quantity = form.shopping.editor(0, "quantity")
    quantity.clear()
    qtbot.keyClicks(quantity, "two")

    problems = form.problems()
    assert problems == [
        "Buyer, Shopping item 1 'Stapler': quantity must be a whole number",
        "Seller 1 'Bob's Supplies', item 'stapler': least price must be above cost price",
    ]
    assert [form.problem_list.item(i).text() for i in range(len(problems))] == problems
    # each message sits on the widget it concerns, which is highlighted
    assert quantity.property("invalid") is True and "whole number" in quantity.toolTip()
    assert least.property("invalid") is True and "least price must be above cost price" in least.toolTip()
    assert form.seller_tabs.tabText(0).startswith("⚠")
    assert not form.session_name.property("invalid")
    assert form.reason_label.text() == ("To create the session, fix: Buyer, Shopping item 1 'Stapler': "
                                        "quantity must be a whole number (and 1 more)")
    assert all(p in form.create_button.toolTip() for p in problems)
    assert form.reason_label.isVisibleTo(form)

    quantity.clear()
    qtbot.keyClicks(quantity, "2")  # now the item's own rule can be checked: max 2 is below min 4
    assert "Buyer, Shopping item 1 'Stapler': max price must be above min price" in form.problems()
    assert max_price.property("invalid") is True and "max price must be above min price" in max_price.toolTip()

    quantity.clear()
    qtbot.keyClicks(quantity, "2")
    max_price.clear()
    qtbot.keyClicks(max_price, "9")
    least.clear()
    qtbot.keyClicks(least, "5")
    assert form.problems() == [] and form.check.valid
    assert not quantity.property("invalid") and form.reason_label.text() == ""


def test_duplicate_seller_names_mark_both_name_fields(qtbot, form):
    fill_valid_session(qtbot, form)
    second = form.add_seller()
    second.name_edit.clear()
    qtbot.keyClicks(second.name_edit, "bobs supplies")
    qtbot.keyClicks(second.inventory.editor(0, "name"), "Stapler")
    for key, text in (("cost_price", "1"), ("least_price", "2"), ("selling_price", "3"), ("quantity_available", "5")):
        qtbot.keyClicks(second.inventory.editor(0, key), text)
    assert any("listed twice" in p for p in form.problems())
    assert second.name_edit.property("invalid") is True
    assert form.sellers()[0].name_edit.property("invalid") is True


def test_room_preview_shows_rooms_sellers_and_skipped_items(qtbot, form):
    assert form.import_scenario_file(resource_path("scenarios", "skipped_items.json"))
    assert form.preview.lines == [
        "Room 1: Lab notebook A4 ×30 — Science Stores",
        "Skipped: Digital multimeter — needs 12, the most any seller has is 8",
        "Skipped: Oscilloscope probe set — no seller stocks this item",
    ]
    assert "no seller stocks this item" in form.preview.text()
    quantity = form.shopping.editor(1, "quantity")
    quantity.clear()
    qtbot.keyClicks(quantity, "5")  # both multimeter sellers can now supply it
    assert "Room 2: Digital multimeter ×5 — Science Stores, Meter Mart" in form.preview.lines
    quantity.clear()
    qtbot.keyClicks(quantity, "x")
    assert form.preview.lines == [] and "Fix the problems" in form.preview.text()


def test_load_example_from_the_menu_fills_the_form(form):
    actions = form.examples_menu.actions()
    assert len(actions) == len(list(resource_path("scenarios").glob("*.json")))
    office = next(a for a in actions if a.text() == load_scenario(resource_path("scenarios", "office_supplies.json")).name)
    office.trigger()
    expected = load_scenario(resource_path("scenarios", "office_supplies.json"))
    assert form.session_name.text() == expected.name
    assert form.buyer_name.text() == expected.buyer.name
    assert form.shopping.row_count() == len(expected.buyer.items)
    assert [e.name for e in form.sellers()] == [s.name for s in expected.sellers]
    assert form.check.config.model_dump() == expected.model_dump()
    assert form.create_button.isEnabled()


def test_import_of_a_broken_scenario_lists_every_error_and_keeps_the_form(qtbot, form, tmp_path):
    fill_valid_session(qtbot, form)
    before = form.data()
    broken = {
        "buyer": {"name": "", "items": [{"name": "Pens", "quantity": 1, "min_price": 5, "max_price": 1},
                                             {"name": "Ink", "quantity": 0, "min_price": 1, "max_price": 2}]},
        "sellers": [{"name": "Acme", "inventory": [{"name": "Pens", "cost_price": 3, "least_price": 2,
                                                     "selling_price": 4, "quantity_available": 10}]}],
        "llm": {"temperature": 9},
    }
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    assert form.import_scenario_file(path) is False
    assert form.import_errors == [
        "Buyer: name must not be empty",
        "Buyer, Shopping item 1 'Pens': max price must be above min price",
        "Buyer, Shopping item 2 'Ink': quantity must be at least 1",
        "Seller 1 'Acme', item 'Pens': least price must be above cost price",
        "LLM settings: temperature must be at most 2",
    ]
    box = form.message_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "5 problems" in box.text()
    assert all(e in box.informativeText() for e in form.import_errors)
    assert form.data() == before
    box.close()


def test_save_scenario_writes_a_file_that_loads_back(qtbot, form, tmp_path):
    fill_valid_session(qtbot, form)
    path = tmp_path / "saved.json"
    assert form.save_scenario_file(path)
    assert load_scenario(path).model_dump() == form.check.config.model_dump()


def test_sellers_stop_at_the_limit(form):
    while form.add_seller() is not None:
        pass
    assert form.seller_tabs.count() == MAX_SELLERS
    assert not form.add_seller_button.isEnabled()
    assert form.seller_count.text() == f"{MAX_SELLERS} of {MAX_SELLERS}"


def test_refresh_lists_the_servers_models_with_their_load_state(qtbot, arun):
    form = SessionSetupForm(probe_server)
    qtbot.addWidget(form)
    with FakeLMStudio() as fake:
        form.reset(LLMSettings(base_url=fake.base_url))

        async def scenario():
            qtbot.mouseClick(form.llm.refresh_button, Qt.MouseButton.LeftButton)
            await until(lambda: form.llm.model_combo.count() == 2, what="the model list")
            await form.llm.refresh_task

        arun.run(scenario())
    combo = form.llm.model_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["fake-model", "other-model"]
    assert "first loaded model (fake-model)" in form.llm.model_state.text()
    combo.setCurrentIndex(1)
    assert "not loaded" in form.llm.model_state.text()
    assert form.data()["llm"]["model"] == "other-model"



def test_refresh_against_a_closed_port_says_to_correct_the_url_right_there(qtbot, arun):
    """The panel has the Server URL field itself: it must not send the person to Settings (or to itself)."""
    form = SessionSetupForm(probe_server)
    qtbot.addWidget(form)
    url = closed_port_url()
    form.reset(LLMSettings(base_url=url))

    async def scenario():
        qtbot.mouseClick(form.llm.refresh_button, Qt.MouseButton.LeftButton)
        await until(lambda: form.llm.refresh_task is not None and form.llm.refresh_task.done(), what="the probe")

    arun.run(scenario())
    assert form.llm.model_state.text() == (
        f"LM Studio: not reachable at {url} — start the server in LM Studio's Developer tab, "
        "or correct the Server URL above")

def click_menu_action(qtbot, button, text: str) -> None:
    """Open a tool button's menu without a nested loop (popup, not exec) and click the named entry."""
    menu = button.menu()
    menu.popup(button.mapToGlobal(button.rect().bottomLeft()))
    action = next(a for a in menu.actions() if a.text() == text)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def test_load_example_keeps_the_users_server_settings_the_file_does_not_name(qtbot, form):
    defaults = LLMSettings(base_url="http://192.168.1.20:9999/v1", model="my-model", temperature=0.3, max_rounds=4)
    form.reset(defaults)
    office = resource_path("scenarios", "office_supplies.json")
    click_menu_action(qtbot, form.examples_button, load_scenario(office).name)
    assert form.session_name.text() == load_scenario(office).name
    llm = form.check.config.llm
    assert llm.base_url == "http://192.168.1.20:9999/v1"  # the example names no server
    assert llm.model == "my-model" and llm.temperature == 0.3
    assert llm.max_rounds == 10  # the example names its rounds
    assert form.llm.url_edit.text() == "http://192.168.1.20:9999/v1"


def test_start_from_an_example_uses_the_users_default_server(qtbot, kit):
    from PySide6.QtWidgets import QPushButton

    async def scenario():
        window = kit.window()
        default_url = window.settings.default_llm().base_url
        assert "localhost:1234" not in default_url
        window.show()
        button = next(b for b in window.welcome.findChildren(QPushButton) if b.text() == "Start from an example")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        form = window.setup_form
        assert window.stack.currentWidget() is form and form.check.valid
        assert form.llm.url_edit.text() == default_url
        assert form.check.config.llm.base_url == default_url

    kit.run(scenario())


def marked(widgets) -> list:
    return [w for w in widgets if w.property("invalid")]


def all_fields(form) -> list:
    return list({id(w): w for widgets in form.widget_map().values() for w in widgets}.values())


def test_a_blank_form_shows_no_errors_until_a_field_is_edited_or_create_is_pressed(qtbot, form):
    form.show()
    assert not form.check.valid and form.problems()  # the blank rows are not a session...
    assert marked(all_fields(form)) == []  # ...but nothing is red before the user typed anything
    assert form.problem_list.count() == 1 and "Problems show here as you fill in" in form.problem_list.item(0).text()
    assert not form.seller_tabs.tabText(0).startswith("⚠") and form.reason_label.text() == ""
    form.grab().save("/tmp/forms_blank.png")

    quantity = form.shopping.editor(0, "quantity")
    qtbot.keyClicks(quantity, "two")  # the edited field alone says what is wrong
    assert marked(all_fields(form)) == [quantity] and "whole number" in quantity.toolTip()

    submitted = []
    form.submitted.connect(submitted.append)
    qtbot.mouseClick(form.create_button, Qt.MouseButton.LeftButton)  # Create shows every problem at once
    assert submitted == []
    shown = [form.problem_list.item(i).text() for i in range(form.problem_list.count())]
    assert shown == form.problems() and len(shown) > 3
    assert form.shopping.editor(0, "name") in marked(all_fields(form))
    assert form.sellers()[0].inventory.editor(0, "cost_price") in marked(all_fields(form))
    assert form.seller_tabs.tabText(0).startswith("⚠") and form.reason_label.text().startswith("To create")
    form.grab().save("/tmp/forms_create_pressed.png")


def test_a_new_seller_shows_no_errors_until_edited(qtbot, form):
    form.show()
    assert form.import_scenario_file(resource_path("scenarios", "office_supplies.json"))
    qtbot.mouseClick(form.create_button, Qt.MouseButton.LeftButton)  # valid: nothing to reveal
    qtbot.mouseClick(form.add_seller_button, Qt.MouseButton.LeftButton)
    new = form.sellers()[-1]
    assert not form.check.valid  # its empty stock row is not valid yet...
    assert marked(all_fields(form)) == [] and not form.seller_tabs.tabText(form.seller_tabs.count() - 1).startswith("⚠")
    assert "ready" not in form.problem_list.item(0).text()
    form.grab().save("/tmp/forms_new_seller.png")
    cost = new.inventory.editor(0, "cost_price")
    qtbot.keyClicks(cost, "x")
    assert marked(all_fields(form)) == [cost]


def button_of(box, text: str):
    return next(b for b in box.buttons() if b.text() == text)


def test_load_example_over_edits_asks_first(qtbot, form):
    office = load_scenario(resource_path("scenarios", "office_supplies.json"))
    qtbot.keyClicks(form.session_name, "My own session")
    click_menu_action(qtbot, form.examples_button, office.name)
    box = form.confirm_box
    assert box is not None and box.isVisible() and "replaces what you typed" in box.text()
    form.grab().save("/tmp/forms_confirm.png")
    qtbot.mouseClick(button_of(box, "Keep editing"), Qt.MouseButton.LeftButton)
    assert form.session_name.text() == "My own session"

    click_menu_action(qtbot, form.examples_button, office.name)
    qtbot.mouseClick(button_of(form.confirm_box, "Load example"), Qt.MouseButton.LeftButton)
    assert form.session_name.text() == office.name and not form.has_edits()


def test_load_example_over_an_untouched_form_does_not_ask(qtbot, form):
    office = load_scenario(resource_path("scenarios", "office_supplies.json"))
    click_menu_action(qtbot, form.examples_button, office.name)
    assert form.confirm_box is None and form.session_name.text() == office.name


@pytest.mark.parametrize("gesture", ["cancel button", "escape"])
def test_cancel_and_escape_leave_at_once_without_edits_and_ask_with_edits(qtbot, form, gesture):
    form.show()
    cancelled = []
    form.cancelled.connect(lambda: cancelled.append(True))

    def leave():
        if gesture == "escape":
            qtbot.keyClick(form.buyer_name, Qt.Key.Key_Escape)
        else:
            qtbot.mouseClick(form.cancel_button, Qt.MouseButton.LeftButton)

    leave()
    assert cancelled == [True] and form.confirm_box is None  # nothing typed: nothing to lose

    qtbot.keyClicks(form.buyer_name, " Jones")
    leave()
    assert cancelled == [True] and form.confirm_box.isVisible()
    qtbot.mouseClick(button_of(form.confirm_box, "Keep editing"), Qt.MouseButton.LeftButton)
    assert cancelled == [True] and form.buyer_name.text() == "Buyer Jones"
    leave()
    qtbot.mouseClick(button_of(form.confirm_box, "Discard changes"), Qt.MouseButton.LeftButton)
    assert cancelled == [True, True]


def test_tab_reaches_every_cell_and_seller_field_in_reading_order(qtbot, form):
    from PySide6.QtWidgets import QApplication

    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    form.shopping.add_row()
    seller = form.sellers()[0]
    seller.inventory.add_row()
    form.session_name.setFocus()
    qtbot.waitUntil(form.session_name.hasFocus)
    visited = []
    for _ in range(60):
        visited.append(QApplication.focusWidget())
        assert visited[-1] is not None, f"focus lost after {visited[-2:]}"
        if visited[-1] is form.create_button:
            break
        qtbot.keyClick(visited[-1], Qt.Key.Key_Tab)

    def positions(widgets):
        return [visited.index(w) for w in widgets]

    shopping = form.shopping.focus_chain()  # 2 rows of 4 cells and a remove button, then "Add item"
    inventory = seller.inventory.focus_chain()
    buyer_agent = [form.buyer_agent.kind_combo, form.buyer_agent.model_combo, form.buyer_agent.temperature]
    expected = [form.session_name, form.buyer_name, *buyer_agent, *shopping]
    assert visited[:len(expected)] == expected
    agent = [seller.agent.kind_combo, seller.agent.model_combo, seller.agent.temperature]  # a model plays it
    fields = [seller.name_edit, seller.priority_combo, seller.style_combo, *agent, *inventory]
    assert positions(fields) == sorted(positions(fields))  # seller fields in order...
    assert positions(fields)[-1] - positions(fields)[0] == len(fields) - 1  # ...one after the other
    assert visited.index(form.llm.url_edit) > positions(fields)[-1]
    assert visited[-1] is not None and form.cancel_button in visited


def test_seller_limits_are_told_in_plain_words(qtbot, form, tmp_path):
    form.show()
    qtbot.mouseClick(form.remove_seller_button, Qt.MouseButton.LeftButton)
    assert form.problem_list.item(0).text() == "A session needs at least one seller."

    office = json.loads(resource_path("scenarios", "office_supplies.json").read_text(encoding="utf-8"))
    office["sellers"] = [dict(office["sellers"][0], name=f"Seller {i}") for i in range(11)]
    path = tmp_path / "eleven.json"
    path.write_text(json.dumps(office), encoding="utf-8")
    qtbot.mouseClick(form.import_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button_of(form.confirm_box, "Choose a file…"), Qt.MouseButton.LeftButton)  # the removal was an edit
    form.file_dialog.fileSelected.emit(str(path))
    form.file_dialog.close()
    assert form.import_errors == ["A session can have at most 10 sellers."]
    assert "A session can have at most 10 sellers." in form.message_box.informativeText()
    form.message_box.close()
