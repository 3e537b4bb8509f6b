"""The test suite (a package, so that `tests.*` never resolves to a `tests` package some dependency installs, as pywb does)."""
