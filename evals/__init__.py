"""Measuring: gold datasets, metrics, the eval runner, reports, benchmarks."""
