"""Settings: TSA list, NTP servers, data directory, proxy port range, video segment length,
the agency vault's address, language (declared in ``app.settings``; validated there on save)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.desk.errors import explain
from app.installation import Installation
from forensics.errors import QuzhengError


def _lines(value: object) -> str:
    return "\n".join(x.strip() for x in str(value).split(",") if x.strip())


def _csv(text: str) -> str:
    return ",".join(x.strip() for x in text.replace(",", "\n").splitlines() if x.strip())


class SettingsDialog(QDialog):
    saved = Signal()

    def __init__(self, inst: Installation, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.inst, self.lang = inst, lang
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.tsa = QPlainTextEdit(_lines(inst.setting("tsa.urls")))
        self.tsa.setObjectName("tsa")
        self.tsa.setPlaceholderText(self.tr("one RFC 3161 URL per line, tried in order"))
        self.tsa.setFixedHeight(72)
        self.ntp = QPlainTextEdit(_lines(inst.setting("ntp.servers")))
        self.ntp.setObjectName("ntp")
        self.ntp.setFixedHeight(72)
        self.data_dir = QLineEdit(str(inst.setting("data.dir")))
        self.data_dir.setObjectName("dataDir")
        self.data_dir.setPlaceholderText(str(inst.home))
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._browse)
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_dir, 1)
        data_row.addWidget(browse)
        self.ports = QLineEdit(str(inst.setting("proxy.port_range")))
        self.ports.setObjectName("ports")
        self.ports.setPlaceholderText(self.tr("0 = any free port, or e.g. 18080-18099"))
        self.segment = QSpinBox()
        self.segment.setObjectName("segment")
        self.segment.setRange(5, 3600)
        self.segment.setSuffix(self.tr(" s"))
        self.segment.setValue(int(inst.setting("video.segment_seconds")))
        self.vault = QLineEdit(str(inst.setting("vault.url")))
        self.vault.setObjectName("vaultUrl")
        self.vault.setPlaceholderText(self.tr("e.g. https://vault.agency.example (empty: none)"))
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.addItem(self.tr("System language"), "")
        self.language.addItem("简体中文", "zh_CN")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(
            max(0, self.language.findData(str(inst.setting("ui.language"))))
        )

        form = QFormLayout()
        form.addRow(self.tr("Time-stamp authorities (TSA)"), self.tsa)
        form.addRow(self.tr("NTP servers"), self.ntp)
        form.addRow(self.tr("Data directory"), data_row)
        form.addRow(self.tr("Proxy port range"), self.ports)
        form.addRow(self.tr("Video segment length"), self.segment)
        form.addRow(self.tr("Agency vault address"), self.vault)
        form.addRow(self.tr("Language"), self.language)
        note = QLabel(self.tr("A new language and data directory take effect at the next start."))
        note.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Data directory"))
        if folder:
            self.data_dir.setText(folder)

    def values(self) -> dict[str, str]:
        return {
            "tsa.urls": _csv(self.tsa.toPlainText()),
            "ntp.servers": _csv(self.ntp.toPlainText()),
            "data.dir": self.data_dir.text().strip(),
            "proxy.port_range": self.ports.text().strip() or "0",
            "video.segment_seconds": str(self.segment.value()),
            "vault.url": self.vault.text().strip(),
            "ui.language": str(self.language.currentData()),
        }

    def save(self) -> None:
        values = self.values()
        ports = values["proxy.port_range"]
        if not _valid_ports(ports):
            self.message.setText(
                self.tr("The port range is 0, a port, or two ports like 18080-18099.")
            )
            return
        vault = values["vault.url"]
        if vault and not vault.startswith(("https://", "http://")):
            self.message.setText(
                self.tr("The vault address is a web address: https://… (or empty).")
            )
            return
        try:
            for key, value in values.items():
                self.inst.set_setting(key, value)
        except QuzhengError as exc:
            self.message.setText(explain(exc, self.lang))
            return
        self.saved.emit()
        self.accept()


def _valid_ports(text: str) -> bool:
    low, _, high = text.partition("-")
    try:
        a, b = int(low), int(high or low)
    except ValueError:
        return False
    return (a == 0 and not high) or (0 < a <= b < 65536 and a >= 1024)
