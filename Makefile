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

# The README's pictures: the demo drive (car and bus); the head unit at both sizes, day and
# night, in Chinese, and the instrument cluster.
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
	$(OFFSCREEN) $(PY) -m app --offscreen --no-simulator --screen home --size 1280x720 \
		--screenshot docs/screenshots/home-1280x720.png
	$(OFFSCREEN) $(PY) -m app --offscreen --no-simulator --night --screen home --size 800x480 \
		--screenshot docs/screenshots/home-night-800x480.png
	$(OFFSCREEN) $(PY) -m app --offscreen --no-simulator --night --screen cluster \
		--size 1280x480 --screenshot docs/screenshots/cluster-1280x480.png
	$(OFFSCREEN) $(PY) -m app --offscreen --no-simulator --night --language zh --screen home \
		--size 800x480 --screenshot docs/screenshots/home-zh-800x480.png

clean:
	rm -rf $(VENV) screenshots .pytest_cache
