"""The optional language model: a REFUGE_LLM spec becomes a LangChain chat model, and one
call to it returns text and token statistics, with every failure mapped to our errors.

Specs (REFUGE_LLM or `--llm`):
  openai:MODEL             any OpenAI-compatible endpoint (REFUGE_LLM_BASE_URL, REFUGE_LLM_API_KEY)
  ollama:MODEL             an Ollama server (REFUGE_OLLAMA_HOST, default http://127.0.0.1:11434)
  llamacpp:/path/to.gguf   llama.cpp in this process
  none | extractive        no model (the default)
Tuning: REFUGE_LLM_TIMEOUT (s, 60), REFUGE_LLM_MAX_TOKENS (160), REFUGE_LLM_N_CTX (2048),
REFUGE_LLM_TEMPERATURE (0), REFUGE_LLM_THREADS (llama.cpp: all cores), REFUGE_LLM_CHAT_FORMAT
(llama.cpp, for a GGUF without a chat template, e.g. gemma). All are read via kb.settings. The LangChain packages are imported only when a spec is used
(`make install-llm` installs them).
"""
from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from kb.errors import ConfigError, LLMUnavailable

PROVIDERS = ("openai", "ollama", "llamacpp")
OFF = {"", "none", "off", "extractive"}
INSTALL = "install the optional extra with `make install-llm` (pip install -e '.[llm]')"


@dataclass(frozen=True)
class Spec:
    provider: str
    model: str

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}"


@dataclass(frozen=True)
class Options:
    timeout: float = 60.0
    max_tokens: int = 160
    n_ctx: int = 2048
    temperature: float = 0.0
    threads: int | None = None
    base_url: str | None = None
    api_key: str | None = None
    ollama_host: str = "http://127.0.0.1:11434"
    chat_format: str | None = None  # llama.cpp: when the GGUF carries no chat template (e.g. "gemma")


def parse(spec: str | None) -> Spec | None:
    """Spec for `spec`, None for no model; ConfigError for anything else."""
    if spec is None or spec.strip().lower() in OFF:
        return None
    provider, sep, model = spec.strip().partition(":")
    provider = provider.strip().lower()
    if not sep or provider not in PROVIDERS or not model.strip():
        raise ConfigError(f"REFUGE_LLM/--llm: expected openai:MODEL, ollama:MODEL or llamacpp:/path/to/model.gguf "
                          f"(or none), got {spec!r}")
    return Spec(provider, model.strip())


def _number(extra: dict, name: str, kind, default):
    raw = (extra.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {raw!r}")
    return value


def options(settings) -> Options:
    extra = settings.extra
    return Options(
        timeout=_number(extra, "REFUGE_LLM_TIMEOUT", float, 60.0),
        max_tokens=_number(extra, "REFUGE_LLM_MAX_TOKENS", int, 160),
        n_ctx=_number(extra, "REFUGE_LLM_N_CTX", int, 2048),
        temperature=_number(extra, "REFUGE_LLM_TEMPERATURE", float, 0.0),
        threads=_number(extra, "REFUGE_LLM_THREADS", int, None),
        base_url=extra.get("REFUGE_LLM_BASE_URL") or None,
        api_key=extra.get("REFUGE_LLM_API_KEY") or None,
        ollama_host=extra.get("REFUGE_OLLAMA_HOST") or "http://127.0.0.1:11434",
        chat_format=extra.get("REFUGE_LLM_CHAT_FORMAT") or None,
    )


_MODELS: dict = {}
_BUILD_LOCK = threading.Lock()
_CALL_LOCKS: dict = {}  # an in-process llama.cpp model serves one call at a time
_NO_LOCK = contextlib.nullcontext()


def chat_model(spec: Spec, opts: Options):
    """The LangChain chat model for spec/opts, built once per process."""
    key = (spec, opts) if spec.provider != "llamacpp" else (spec, opts.n_ctx, opts.max_tokens, opts.temperature,
                                                             opts.threads, opts.chat_format)
    with _BUILD_LOCK:
        if key not in _MODELS:
            _MODELS[key] = _build(spec, opts)
            _CALL_LOCKS[key] = threading.Lock() if spec.provider == "llamacpp" else None
        return _MODELS[key], _CALL_LOCKS[key]


def _build(spec: Spec, opts: Options):
    try:
        if spec.provider == "openai":
            from langchain_openai import ChatOpenAI

            if not opts.base_url and not opts.api_key:
                raise ConfigError("openai: set REFUGE_LLM_BASE_URL (an OpenAI-compatible server) or REFUGE_LLM_API_KEY")
            base_url = opts.base_url or "https://api.openai.com/v1"
            # langchain-openai sends max_tokens as `max_completion_tokens`, which many OpenAI-compatible
            # servers (llama_cpp.server among them) ignore: send the classic field to those
            limit = ({"max_tokens": opts.max_tokens} if "api.openai.com" in base_url
                     else {"extra_body": {"max_tokens": opts.max_tokens}})
            return ChatOpenAI(model=spec.model, base_url=base_url, api_key=opts.api_key or "not-needed",
                              timeout=opts.timeout, max_retries=0, temperature=opts.temperature, **limit)
        if spec.provider == "ollama":
            from langchain_ollama import ChatOllama

            return ChatOllama(model=spec.model, base_url=opts.ollama_host, num_predict=opts.max_tokens,
                              num_ctx=opts.n_ctx, temperature=opts.temperature,
                              client_kwargs={"timeout": opts.timeout})
        from langchain_community.chat_models import ChatLlamaCpp

        path = Path(spec.model).expanduser()
        if not path.is_file():
            raise ConfigError(f"llamacpp: no model file at {path}")
        return ChatLlamaCpp(model_path=str(path), n_ctx=opts.n_ctx, max_tokens=opts.max_tokens,
                            temperature=opts.temperature, n_threads=opts.threads or os.cpu_count() or 1,
                            verbose=False,
                            model_kwargs={"chat_format": opts.chat_format} if opts.chat_format else {})
    except ImportError as exc:
        raise LLMUnavailable(f"the {spec.provider} model needs packages that are not installed ({exc.name}): "
                             f"{INSTALL}") from None
    except (ConfigError, LLMUnavailable):
        raise
    except Exception as exc:  # a model file llama.cpp cannot load, a bad URL, ...
        raise LLMUnavailable(f"the language model {spec} could not be loaded: {_short(exc)}") from None


def complete(spec: Spec, opts: Options, messages: list, on_text=None) -> tuple[str, dict]:
    """The model's reply text and {"seconds", "prompt_tokens", "output_tokens", "tokens_per_s"};
    LLMUnavailable on a timeout, a connection error, any other failure or an empty reply.
    With `on_text`, the reply is streamed and on_text(text so far) is called as it grows:
    that text is unverified and only for a provisional display."""
    from langchain_core.messages import convert_to_messages

    model, lock = chat_model(spec, opts)
    t0 = time.perf_counter()
    try:
        with lock or _NO_LOCK:
            if on_text is None:
                result = model.generate([convert_to_messages(messages)])  # keeps llm_output (token usage)
                reply = result.generations[0][0].message
                raw = (result.llm_output or {}).get("token_usage") or reply.response_metadata.get("token_usage") or {}
            else:
                reply, pieces = _stream(model, convert_to_messages(messages), on_text)
                raw = {"completion_tokens": pieces}  # a streamed piece is about one token; usage is used when sent
    except Exception as exc:
        raise LLMUnavailable(describe(exc, spec, opts)) from None
    seconds = time.perf_counter() - t0
    text = _text(reply.content)
    usage = getattr(reply, "usage_metadata", None) or {}
    if not usage:
        usage = {"input_tokens": raw.get("prompt_tokens", 0), "output_tokens": raw.get("completion_tokens", 0)}
    out_tokens = int(usage.get("output_tokens") or 0)
    if not out_tokens and spec.provider == "llamacpp" and text:  # ChatLlamaCpp drops the usage it gets
        out_tokens = len(model.client.tokenize(text.encode("utf-8"), add_bos=False))
    stats = {"model": str(spec), "seconds": round(seconds, 3), "prompt_tokens": int(usage.get("input_tokens") or 0),
             "output_tokens": out_tokens, "tokens_per_s": round(out_tokens / seconds, 2) if seconds > 0 else 0.0}
    if not text.strip():
        raise LLMUnavailable(f"the language model {spec} returned an empty answer")
    return text, stats


def _text(content) -> str:
    return content if isinstance(content, str) else "".join(
        part.get("text", "") if isinstance(part, dict) else str(part) for part in content)


def _stream(model, messages: list, on_text):
    """(the whole reply as one message chunk, pieces received), calling on_text(text so far)
    as pieces arrive."""
    from langchain_core.messages import AIMessageChunk

    whole, pieces = AIMessageChunk(content=""), 0
    for piece in model.stream(messages):
        whole, pieces = whole + piece, pieces + 1
        if piece.content:
            on_text(_text(whole.content))
    return whole, pieces


def describe(exc: BaseException, spec: Spec, opts: Options) -> str:
    """A one-line, reader-facing description of why a call failed."""
    chain, seen = [], exc
    while seen is not None and len(chain) < 6:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    names = " ".join(type(e).__name__ for e in chain).lower()
    where = opts.base_url if spec.provider == "openai" else opts.ollama_host if spec.provider == "ollama" else "in-process"
    if "timeout" in names or any(isinstance(e, TimeoutError) for e in chain):
        return f"the language model {spec} ({where}) did not answer within {opts.timeout:g} s"
    if "connect" in names or any(isinstance(e, ConnectionError) for e in chain):
        return f"the language model {spec} could not be reached at {where}"
    return f"the language model {spec} failed: {_short(exc)}"


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return text[:200]
