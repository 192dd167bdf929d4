# Volant: `make run` and `make test` are the whole set-up on a fresh Linux machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
OFFSCREEN := QT_QPA_PLATFORM=offscreen QT_QUICK_BACKEND=software

.PHONY: run test bench screenshot docs-screenshots lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m app

test: $(STAMP)
	$(OFFSCREEN) $(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check .

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	@for script in bench/bench_*.py; do \
		echo "== $$script"; $(OFFSCREEN) $(PY) $$script || exit 1; \
	done

screenshot: $(STAMP)
	mkdir -p screenshots
	for size in 1280x720 800x480; do \
		for screen in $$($(PY) -c 'from ui.screens import SCREENS; print(*SCREENS)'); do \
			$(PY) -m app --offscreen --no-simulator --screen $$screen --size $$size \
				--screenshot screenshots/$$screen-$$size.png || exit 1; \
		done; \
	done
	@echo "screenshots in screenshots/"

# The README's pictures: the demo drive (car and bus) and two screens at 800x480, at night.
docs-screenshots: $(STAMP)
	rm -rf build/demo build/demo-bus && mkdir -p docs/screenshots
	$(OFFSCREEN) $(PY) -m app demo --offscreen --out build/demo
	$(OFFSCREEN) $(PY) -m app demo --offscreen --bus --out build/demo-bus
	cp build/demo/screenshots/*.png docs/screenshots/
	cp build/demo-bus/screenshots/05-dashboard-driving.png docs/screenshots/bus-dashboard.png
	for screen in dashboard map; do \
		$(OFFSCREEN) $(PY) -m app --offscreen --no-simulator --night --screen $$screen \
			--size 800x480 --screenshot docs/screenshots/$$screen-night-800x480.png || exit 1; \
	done

clean:
	rm -rf $(VENV) screenshots .pytest_cache
