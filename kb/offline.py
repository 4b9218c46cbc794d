"""No dependency phones home: the switches that turn off every library's telemetry, set
in this process's environment before any of those libraries is imported (`kb/__init__.py`
calls `apply` on the first import of anything in `kb`).

They are forced, not defaults: an operator's shell that has, say, LANGCHAIN_TRACING_V2=true
would otherwise send every question to LangSmith. The audit behind each line is in
docs/robustness.md ("Phone-home audit").
"""
from __future__ import annotations

import os

SWITCHES = {
    # onnxruntime: opens ~/.cache/Microsoft/DeveloperTools/.onnxruntime/onnxruntime.db at import
    # and queues events (device id, OS, CPU, session GUID) for Microsoft. Only this variable,
    # set before the import, stops it; disable_telemetry_events() afterwards does not close the store.
    "ORT_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",  # chromadb product telemetry
    "GRADIO_ANALYTICS_ENABLED": "False",  # gradio (and gradio_client) analytics and version check
    "HF_HUB_DISABLE_TELEMETRY": "1",  # huggingface_hub / transformers
    "DISABLE_TELEMETRY": "1",  # older transformers
    "DO_NOT_TRACK": "1",  # the cross-tool convention, honoured by huggingface_hub
    "LANGCHAIN_TRACING_V2": "false",  # LangChain / LangSmith tracing (all four spellings)
    "LANGCHAIN_TRACING": "false",
    "LANGSMITH_TRACING": "false",
    "LANGSMITH_TRACING_V2": "false",
    "OTEL_SDK_DISABLED": "true",  # OpenTelemetry (pulled in by chromadb)
    "OTEL_TRACES_EXPORTER": "none",
    "OTEL_METRICS_EXPORTER": "none",
    "OTEL_LOGS_EXPORTER": "none",
}
UNSET = ("CHROMA_OTEL_COLLECTION_ENDPOINT", "LANGCHAIN_ENDPOINT", "LANGSMITH_ENDPOINT")


def apply() -> None:
    for name, value in SWITCHES.items():
        os.environ[name] = value
    for name in UNSET:
        os.environ.pop(name, None)
