"""Builds canonical_fast, the compiled part (its docstring says why); the rest is pyproject."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [Extension("contentsync.canonical_fast", ["contentsync/canonical_fast.pyx"])]
    )
)
