# The two set-up commands of the README. Both prepare the machine first (scripts/bootstrap.sh).
.PHONY: run test lint bench bootstrap dist screenshots

VENV := .venv/bin

bootstrap:
	@bash scripts/bootstrap.sh

# Opens the GUI when a display is present; without one, runs the headless demo.
# Each demo run gets a new folder under demo-output/ (the demo never reuses a folder).
run: bootstrap
	$(VENV)/quzheng $(if $(or $(DISPLAY),$(WAYLAND_DISPLAY)),,demo --out demo-output/$$(date +%Y%m%d-%H%M%S))

lint: bootstrap
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(VENV)/pytest -q

# docs/screenshots/: the GUI tests render each window (in Chinese) into a temporary folder;
# when they pass, the pictures are copied there (scripts/screenshots.py).
screenshots: bootstrap
	QT_QPA_PLATFORM=offscreen $(VENV)/python scripts/screenshots.py

bench: bootstrap
	$(VENV)/python -m benchmarks

# The frozen program (PyInstaller, one folder): dist/quzheng/quzheng, checked by its self-test.
dist: bootstrap
	$(VENV)/pyinstaller build.spec --noconfirm
	dist/quzheng/quzheng --selftest
