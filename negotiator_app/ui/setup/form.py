"""The session setup form: buyer, shopping list, sellers, LLM settings, validated as you type."""
from __future__ import annotations

import functools

from typing import Any, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
    QMenu, QMessageBox, QPushButton, QScrollArea, QSplitter, QTabWidget, QToolButton, QVBoxLayout, QWidget,
)

from ...domain.names import normalize_name
from ...domain import MAX_SELLERS, AgentKind, LLMSettings, SessionConfig
from ..icons import icon
from .agent_editor import AgentEditor
from .confirm import ask_before_discarding
from .scenario_files import ScenarioFiles, example_scenarios, example_title
from .llm_panel import LLMPanel, StatusProbe
from .preview import RoomPreview
from .seller_editor import SellerEditor
from .table import Column, EditableTable
from .touched import clear_touched, is_touched, mark_touched, watch_edits
from .validation import FormCheck, Loc, Problem, check, number, quoted_names

SHOPPING_COLUMNS = [
    Column("name", "Item", "e.g. Printer paper A4"),
    Column("quantity", "Quantity", "units", numeric=True),
    Column("min_price", "Min price", "per unit", numeric=True),
    Column("max_price", "Max price", "per unit", numeric=True),
]
INVALID_STYLE = (
    '*[invalid="true"] { border: 2px solid #d0453b; border-radius: 3px; }'
)


class SessionSetupForm(ScenarioFiles, QWidget):
    """Emits `submitted(SessionConfig)` only for a valid configuration; `cancelled()` on Cancel or Escape
    (after asking, if there are edits). A field shows its problems once edited, or all once Create is pressed."""

    submitted = Signal(object)
    cancelled = Signal()

    def __init__(self, status_probe: StatusProbe | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(INVALID_STYLE)
        self.editing_session_id: int | None = None
        self.check: FormCheck = FormCheck(None)
        self.import_errors: list[str] = []
        self.message_box: QMessageBox | None = None
        self.confirm_box: QMessageBox | None = None
        self._baseline: dict[str, Any] = {}  # the form's data when it was last filled: edits are differences
        self._revealed = False  # Create was pressed: problems no field holds are shown too
        self.shown_problems: list[Problem] = []
        self.file_dialog: QFileDialog | None = None
        self._highlighted: list[QWidget] = []
        self._loading = False
        self.defaults = LLMSettings()  # the user's LLM defaults, given by reset()

        self.session_name = QLineEdit()
        self.session_name.setPlaceholderText("e.g. Office restock, March")
        self.buyer_name = QLineEdit()
        self.buyer_name.setPlaceholderText("Buyer name")
        self.buyer_agent = AgentEditor()
        self.server_note = QLabel()
        self.server_note.setWordWrap(True)
        self.shopping = EditableTable(SHOPPING_COLUMNS, "Add item")
        self.seller_tabs = QTabWidget()
        self.seller_tabs.setDocumentMode(True)
        self.add_seller_button = QPushButton(icon("add"), "Add seller")
        self.remove_seller_button = QPushButton(icon("remove"), "Remove seller")
        self.seller_count = QLabel()
        self.llm = LLMPanel(status_probe)
        self.preview = RoomPreview()
        self.problem_list = QListWidget()
        self.problem_list.setWordWrap(True)
        self.examples_button = QToolButton()
        self.examples_button.setText("Load example")
        self.examples_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.examples_menu = QMenu(self.examples_button)
        self.examples_button.setMenu(self.examples_menu)
        self.import_button = QPushButton(icon("import"), "Import scenario…")
        self.save_button = QPushButton(icon("save"), "Save scenario…")
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel")
        self.create_button = QPushButton(icon("new"), "Create session")
        self.create_button.setDefault(True)
        for widget in (self.session_name, self.buyer_name):
            watch_edits(widget)
        self._build_layout()
        self._connect()
        for path in example_scenarios():
            self.examples_menu.addAction(example_title(path), functools.partial(self.load_example, path))
        self.reset(LLMSettings())

    # ----- layout ---------------------------------------------------------------------------

    def _build_layout(self) -> None:
        session_box = QGroupBox("Session")
        session_form = QFormLayout(session_box)
        session_form.addRow("Session name", self.session_name)
        session_form.addRow("Buyer name", self.buyer_name)
        self.buyer_agent.add_rows(session_form)
        shopping_box = QGroupBox("Shopping list (what the buyer needs; prices per unit)")
        QVBoxLayout(shopping_box).addWidget(self.shopping)
        sellers_box = QGroupBox(f"Sellers (1–{MAX_SELLERS})")
        sellers_layout = QVBoxLayout(sellers_box)
        sellers_buttons = QHBoxLayout()
        sellers_buttons.addWidget(self.add_seller_button)
        sellers_buttons.addWidget(self.remove_seller_button)
        sellers_buttons.addStretch(1)
        sellers_buttons.addWidget(self.seller_count)
        sellers_layout.addLayout(sellers_buttons)
        sellers_layout.addWidget(self.seller_tabs)
        llm_box = QGroupBox("Model server (LM Studio)")
        llm_layout = QVBoxLayout(llm_box)
        llm_layout.addWidget(self.server_note)
        llm_layout.addWidget(self.llm)

        fields = QWidget()
        fields_layout = QVBoxLayout(fields)
        for box in (session_box, shopping_box, sellers_box, llm_box):
            fields_layout.addWidget(box)
        fields_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(fields)
        self.fields_scroll = scroll

        rooms_box = QGroupBox("Rooms this session makes")
        rooms_scroll = QScrollArea()
        rooms_scroll.setWidgetResizable(True)
        rooms_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        rooms_scroll.setWidget(self.preview)
        QVBoxLayout(rooms_box).addWidget(rooms_scroll)
        problems_box = QGroupBox("Problems")
        QVBoxLayout(problems_box).addWidget(self.problem_list)
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(rooms_box)
        side.addWidget(problems_box)
        side.setSizes([560, 240])  # the room preview is what people read while editing

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        bottom = QHBoxLayout()
        for widget in (self.examples_button, self.import_button, self.save_button):
            bottom.addWidget(widget)
        bottom.addWidget(self.reason_label, 1)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

    def _connect(self) -> None:
        for signal in (self.session_name.textChanged, self.buyer_name.textChanged, self.shopping.changed,
                       self.llm.changed, self.buyer_agent.changed):
            signal.connect(self.revalidate)
        self.llm.models_refreshed.connect(self._offer_models)
        self.add_seller_button.clicked.connect(lambda: self.add_seller(focus=True))
        self.remove_seller_button.clicked.connect(self._remove_current_seller)
        self.problem_list.itemActivated.connect(self._focus_problem)
        self.problem_list.itemClicked.connect(self._focus_problem)
        self.import_button.clicked.connect(self.choose_scenario_to_import)
        self.save_button.clicked.connect(self.choose_scenario_to_save)
        self.cancel_button.clicked.connect(self.request_cancel)
        self.create_button.clicked.connect(self.submit)

    # ----- sellers --------------------------------------------------------------------------

    def sellers(self) -> list[SellerEditor]:
        return [cast(SellerEditor, self.seller_tabs.widget(i)) for i in range(self.seller_tabs.count())]

    def add_seller(self, seller=None, focus: bool = False) -> SellerEditor | None:
        if self.seller_tabs.count() >= MAX_SELLERS:
            return None
        editor = SellerEditor()
        if seller is not None:
            editor.set_seller(seller)
        else:
            editor.name_edit.setText(f"Seller {self.seller_tabs.count() + 1}")
            editor.inventory.add_row()
        editor.changed.connect(self.revalidate)
        editor.agent.set_models(self._model_names())
        self.seller_tabs.addTab(editor, editor.name)
        if focus:
            self.seller_tabs.setCurrentWidget(editor)
            editor.name_edit.setFocus()
            editor.name_edit.selectAll()
        self.revalidate()
        return editor

    def _remove_current_seller(self) -> None:
        mark_touched(self.seller_tabs)  # removing the last seller is the user's doing: say what is missing
        self.remove_seller(self.seller_tabs.currentIndex())

    def remove_seller(self, index: int) -> None:
        if 0 <= index < self.seller_tabs.count():
            widget = self.seller_tabs.widget(index)
            self.seller_tabs.removeTab(index)
            if widget is not None:
                widget.deleteLater()
            self.revalidate()

    # ----- content --------------------------------------------------------------------------

    def reset(self, llm: LLMSettings, session_id: int | None = None) -> None:
        """An empty form for a new session, with the LLM defaults from Settings (kept for scenario files)."""
        self._loading = True
        self.defaults = llm
        self.editing_session_id = session_id
        self.session_name.setText("")
        self.buyer_name.setText("Buyer")
        self.buyer_agent.set_agent(None)
        self.shopping.set_rows([{}])
        while self.seller_tabs.count():
            self.remove_seller(0)
        self.add_seller()
        self.llm.set_settings(llm)
        self._filled()

    def set_config(self, config: SessionConfig, session_id: int | None = None,
                   defaults: LLMSettings | None = None) -> None:
        """Show a stored or loaded config; `defaults` (the user's LLM defaults) serve later scenario files."""
        self._loading = True
        if defaults is not None:
            self.defaults = defaults
        self.editing_session_id = session_id
        self.session_name.setText(config.name)
        self.buyer_name.setText(config.buyer.name)
        self.buyer_agent.set_agent(config.buyer.agent)
        self.shopping.set_rows([item.model_dump() for item in config.buyer.items])
        while self.seller_tabs.count():
            self.remove_seller(0)
        for seller in config.sellers:
            self.add_seller(seller)
        self.seller_tabs.setCurrentIndex(0)
        api_key = self.llm.api_key.text() or None
        self.llm.set_settings(config.llm if config.llm.api_key else config.llm.model_copy(update={"api_key": api_key}))
        self._filled()

    def _filled(self) -> None:
        """After reset or load: nothing is edited yet, so nothing is marked wrong and nothing would be lost."""
        self._loading = False
        self._revealed = False
        clear_touched(self.session_name, self.buyer_name, self.shopping.table, self.seller_tabs,
                      *self.llm.focus_chain())
        self._set_mode()
        self.revalidate()
        self._baseline = self.data()

    def has_edits(self) -> bool:
        return self.data() != self._baseline

    def mark_saved(self) -> None:
        """What the form holds was stored (or deliberately left): it no longer counts as unsaved edits."""
        self._baseline = self.data()

    def _set_mode(self) -> None:
        editing = self.editing_session_id is not None
        self.create_button.setText("Save changes" if editing else "Create session")

    def data(self) -> dict[str, Any]:
        return {
            "name": self.session_name.text() or "New session",
            "buyer": {
                "name": self.buyer_name.text(),
                "items": [
                    {"name": r["name"], "quantity": number(r["quantity"]),
                     "min_price": number(r["min_price"]), "max_price": number(r["max_price"])}
                    for r in self.shopping.rows()
                ],
                **({"agent": agent} if (agent := self.buyer_agent.data()) is not None else {}),
            },
            "sellers": [editor.data() for editor in self.sellers()],
            "llm": self.llm.data(),
        }

    # ----- validation -----------------------------------------------------------------------

    def widget_map(self) -> dict[Loc, list[QWidget]]:
        found: dict[Loc, list[QWidget]] = {
            ("name",): [self.session_name],
            ("buyer", "name"): [self.buyer_name],
            ("buyer",): [self.shopping.table],
            ("buyer", "items"): [self.shopping.table],
            ("sellers",): [self.seller_tabs],
            **self.llm.widgets(),
            **self.buyer_agent.widgets(("buyer",)),
        }
        for row in range(self.shopping.row_count()):
            found[("buyer", "items", row)] = [*self.shopping.row_editors(row)]
            for column in SHOPPING_COLUMNS:
                found[("buyer", "items", row, column.key)] = [self.shopping.editor(row, column.key)]
        for index, editor in enumerate(self.sellers()):
            found.update(editor.widgets(("sellers", index)))
        return found

    def widgets_for(self, problem: Problem) -> list[QWidget]:
        found = self.widget_map()
        loc = problem.loc
        while loc:
            if loc in found:
                return found[loc]
            loc = loc[:-1]
        # Session-wide rules (duplicate seller names, a seller named like the buyer) quote the names.
        names = {normalize_name(n) for n in quoted_names(problem.message)}
        hits: list[QWidget] = [e.name_edit for e in self.sellers() if normalize_name(e.name) in names]
        if "same name as the buyer" in problem.message:
            hits.append(self.buyer_name)
        return hits

    def shown(self, problem: Problem) -> bool:
        """A problem shows once one of its fields was edited, or once Create was pressed."""
        widgets = self.widgets_for(problem)
        return any(is_touched(w) for w in widgets) if widgets else self._revealed

    def revalidate(self) -> None:
        if self._loading:
            return
        self.check = check(self.data())
        for widget in self._highlighted:
            _mark(widget, None)
        self._highlighted = []
        self.problem_list.clear()
        messages: dict[int, list[str]] = {}
        bad_sellers: set[int] = set()
        self.shown_problems = [p for p in self.check.problems if self.shown(p)]
        for problem in self.shown_problems:
            for widget in self.widgets_for(problem):
                if not is_touched(widget):
                    continue  # e.g. a seller added after Create was pressed: not the user's mistake yet
                messages.setdefault(id(widget), []).append(problem.message)
                if widget not in self._highlighted:
                    self._highlighted.append(widget)
            if len(problem.loc) >= 2 and problem.loc[0] == "sellers" and isinstance(problem.loc[1], int):
                bad_sellers.add(problem.loc[1])
            item = QListWidgetItem(icon("remove"), problem.message)
            item.setData(Qt.ItemDataRole.UserRole, problem.loc)
            self.problem_list.addItem(item)
        for widget in self._highlighted:
            _mark(widget, "\n".join(messages[id(widget)]))
        for index, editor in enumerate(self.sellers()):
            title = editor.name.strip() or f"Seller {index + 1}"
            self.seller_tabs.setTabText(index, f"⚠ {title}" if index in bad_sellers else title)
        self.seller_count.setText(f"{self.seller_tabs.count()} of {MAX_SELLERS}")
        self.add_seller_button.setEnabled(self.seller_tabs.count() < MAX_SELLERS)
        self.remove_seller_button.setEnabled(self.seller_tabs.count() > 0)
        self._show_server_need()
        if self.check.config is not None:
            self.preview.show_config(self.check.config)
            self.problem_list.addItem(QListWidgetItem("No problems: the session is ready."))
        elif self.shown_problems:
            self.preview.show_invalid()
        else:
            self.preview.show_unfinished()
            self.problem_list.addItem(QListWidgetItem(
                "Not finished yet. Problems show here as you fill in the fields, or all at once when you "
                "press Create."))
        self._update_create_button()
        self._update_tab_order()

    def _model_names(self) -> list[str]:
        return [self.llm.model_combo.itemText(i) for i in range(self.llm.model_combo.count())]

    def _offer_models(self, _status=None) -> None:
        """The server's models, listed by Refresh, become the choices of every agent's model picker."""
        names = self._model_names()
        for editor in (self.buyer_agent, *(s.agent for s in self.sellers())):
            editor.set_models(names)

    def needs_server(self) -> bool:
        """Whether any agent uses a model (judged from the form even while it has problems elsewhere)."""
        agents = [self.buyer_agent, *(s.agent for s in self.sellers())]
        return any(a.kind is not AgentKind.STRATEGY for a in agents)

    def _show_server_need(self) -> None:
        needs = self.needs_server()
        self.server_note.setText("" if needs else "This session needs no server: every agent is a strategy.")
        self.server_note.setVisible(not needs)

    def problems(self) -> list[str]:
        """Every problem of the current data, shown or not yet."""
        return [p.message for p in self.check.problems]

    def _update_create_button(self) -> None:
        """Create stays pressable: pressing it with problems shows them all (a greyed button explains nothing)."""
        verb = "save" if self.editing_session_id is not None else "create"
        shown = [p.message for p in self.shown_problems]
        if not shown:
            self.create_button.setToolTip("")
            self.reason_label.setText("")
            return
        more = f" (and {len(shown) - 1} more)" if len(shown) > 1 else ""
        reason = f"To {verb} the session, fix: {shown[0]}{more}"
        self.create_button.setToolTip(reason if len(shown) == 1 else reason + "\n\n" + "\n".join(shown))
        self.reason_label.setText(reason)

    def _update_tab_order(self) -> None:
        """Tab runs down the form as it reads: every table cell and seller field, then the buttons."""
        chain: list[QWidget] = [self.session_name, self.buyer_name, *self.buyer_agent.focus_chain(),
                                *self.shopping.focus_chain(),
                                self.add_seller_button, self.remove_seller_button, self.seller_tabs.tabBar()]
        for editor in self.sellers():  # hidden sellers' fields are skipped by Qt; the tab bar switches seller
            chain += editor.focus_chain()
        chain += [*self.llm.focus_chain(), self.problem_list, self.examples_button, self.import_button,
                  self.save_button, self.cancel_button, self.create_button]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    def _focus_problem(self, item: QListWidgetItem) -> None:
        loc = item.data(Qt.ItemDataRole.UserRole)
        if loc is None:
            return
        widgets = self.widgets_for(Problem(tuple(loc), item.text()))
        if len(loc) >= 2 and loc[0] == "sellers" and isinstance(loc[1], int) and loc[1] < self.seller_tabs.count():
            self.seller_tabs.setCurrentIndex(loc[1])
        if widgets:
            self.fields_scroll.ensureWidgetVisible(widgets[0])
            widgets[0].setFocus()

    def submit(self) -> None:
        self.revalidate()
        if self.check.valid:
            self._baseline = self.data()
            self.submitted.emit(self.check.config)
            return
        self._revealed = True
        for widgets in self.widget_map().values():
            mark_touched(*widgets)
        self.revalidate()
        first = self.problem_list.item(0)
        if first is not None:
            self._focus_problem(first)

    def request_cancel(self) -> None:
        """Cancel (or Escape): leave at once if nothing was edited, else ask first."""
        if not self.has_edits():
            self.cancelled.emit()
            return
        self.confirm_box = ask_before_discarding(
            self, "Discard your changes?", "You have changed this form. Leave it and lose the changes?",
            "Discard changes", self.cancelled.emit)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.request_cancel()
            return
        super().keyPressEvent(event)


def _mark(widget: QWidget, message: str | None) -> None:
    try:
        widget.setProperty("invalid", message is not None)
        widget.setToolTip(message or "")
        widget.style().unpolish(widget)
        widget.style().polish(widget)
    except RuntimeError:  # the widget was removed (row or seller deleted) since it was marked
        pass
