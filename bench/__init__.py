"""Hand-run performance benchmarks: seed a large database, time the console, the API and ingestion.

Results go to bench/results/ (git-ignored); bench/README.md says how to run them and what they measured.
"""
